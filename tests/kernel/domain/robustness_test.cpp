// Random inputs (fixed seed) for every parser: never crashes, errors carry the parser's code, and whatever is
// accepted round-trips through the canonical text.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"
#include "tests/kernel/domain/printers.h"

namespace sk {
namespace {

std::string random_text(std::mt19937& rng, std::string_view alphabet, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out(len(rng), ' ');
  for (char& c : out) c = alphabet[pick(rng)];
  return out;
}

TEST(Robustness, QuantitiesRoundTrip) {
  std::mt19937 rng(42);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random_text(rng, "0123456789smhdw.% -+", 6);
    if (const auto d = Duration::parse(text)) {
      ++accepted;
      EXPECT_EQ(Duration::parse(d->to_string()), d) << text;
    } else {
      EXPECT_EQ(d.error().code, "domain.duration");
    }
    if (const auto p = Percent::parse(text)) {
      ++accepted;
      EXPECT_EQ(Percent::parse(p->to_string()), p) << text;
      EXPECT_GE(p->value(), 0.0);
      EXPECT_LE(p->value(), 100.0);
    } else {
      EXPECT_EQ(p.error().code, "domain.percent");
    }
  }
  EXPECT_GT(accepted, 100);
}

TEST(Robustness, TimesRoundTrip) {
  std::mt19937 rng(7);
  const TimeZone berlin = *TimeZone::parse("Europe/Berlin");
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    // Mutate a valid timestamp so that many inputs are near-valid.
    std::string text = "2025-03-30T02:30:00+01:00";
    std::uniform_int_distribution<size_t> pos(0, text.size() - 1);
    const std::string noise = random_text(rng, "0123456789-:TZ+ ", 3);
    text.replace(pos(rng), noise.size() % 3, noise);
    text.resize(std::uniform_int_distribution<size_t>(0, text.size())(rng));
    if (const auto t = Instant::parse(text, berlin)) {
      ++accepted;
      EXPECT_EQ(Instant::parse(t->to_iso8601_utc(), berlin), t) << text;
      EXPECT_EQ(Instant::parse(t->to_string(berlin), TimeZone::utc()), t) << text;
    } else {
      EXPECT_EQ(t.error().code, "domain.instant") << text;
    }
    const std::string hm = random_text(rng, "0123456789:", 5);
    if (const auto tod = TimeOfDay::parse(hm)) {
      EXPECT_EQ(TimeOfDay::parse(tod->to_string()), tod) << hm;
    } else {
      EXPECT_EQ(tod.error().code, "domain.time_of_day");
    }
  }
  EXPECT_GT(accepted, 100);
}

TEST(Robustness, NamesAcceptExactlyTheirInput) {
  std::mt19937 rng(3);
  const std::string alphabet =
      std::string("aZ_9-` '\"\n\x7f\xc3\xa4\xe8\xae\xa2\xff\x80", 19) + std::string(1, '\0');
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random_text(rng, alphabet, 10);
    if (const auto t = TableName::parse(text)) {
      EXPECT_EQ(t->str(), text);
      EXPECT_EQ(text.find('\0'), std::string::npos);
      EXPECT_EQ(text.find('\n'), std::string::npos);
    } else {
      EXPECT_EQ(t.error().code, "domain.table_name");
      // Messages never echo control bytes.
      for (char c : t.error().message) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << text;
    }
    if (const auto n = TierName::parse(text)) {
      EXPECT_EQ(n->str(), text);
    } else {
      for (char c : n.error().message) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << text;
    }
    if (const auto db = DatabaseName::parse(text)) {
      const auto label =
          LabelTemplate::parse(LabelTemplate::kDefault)
              ->render(*db, *TierName::parse("daily"), "inc", CivilSecond(2025, 9, 14, 1, 0, 0));
      ASSERT_TRUE(label.has_value()) << label.error().message;
      EXPECT_TRUE(SnapshotLabel::parse(label->str()).has_value());
    }
  }
}

}  // namespace
}  // namespace sk
