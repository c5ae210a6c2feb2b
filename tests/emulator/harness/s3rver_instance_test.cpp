// S3rverInstance: s3rver starts on its own loopback port with the requested buckets, serves what seed_object wrote,
// runs side by side with another instance, and leaves nothing behind on stop(); a missing installation fails with
// the install command (tests never skip for it).
#include "emulator/harness/s3rver_instance.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace sk::emu::harness {
namespace {

// One plain HTTP/1.0 GET to 127.0.0.1:port; the whole response, or "" when nothing answers.
std::string http_get(uint16_t port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return response;
}

TEST(S3rverInstance, StartsWithItsBucketsAndStopsWithoutATrace) {
  auto s3 = S3rverInstance::start({.buckets = {"starkeep", "second"}});
  ASSERT_TRUE(s3) << s3.error().describe();
  EXPECT_NE((*s3)->port(), 0);
  EXPECT_EQ((*s3)->endpoint(), "http://127.0.0.1:" + std::to_string((*s3)->port()));
  for (const char* bucket : {"starkeep", "second"}) {
    const std::string listing = http_get((*s3)->port(), std::string("/") + bucket + "?list-type=2");
    EXPECT_NE(listing.find(std::string("<Name>") + bucket + "</Name>"), std::string::npos) << listing;
  }
  EXPECT_NE(http_get((*s3)->port(), "/absent?list-type=2").find("NoSuchBucket"), std::string::npos);
  const auto dir = (*s3)->dir();
  const uint16_t port = (*s3)->port();
  (*s3)->stop();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(http_get(port, "/starkeep"), "");
}

TEST(S3rverInstance, SeededObjectsAreServedAndBadKeysRefused) {
  auto s3 = S3rverInstance::start();
  ASSERT_TRUE(s3) << s3.error().describe();
  ASSERT_TRUE((*s3)->seed_object("starkeep", "repo/__ss_a/__info_1", "hello"));
  const std::string got = http_get((*s3)->port(), "/starkeep/repo/__ss_a/__info_1");
  EXPECT_NE(got.find(" 200 "), std::string::npos) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\nhello")) << got;
  const std::string listing = http_get((*s3)->port(), "/starkeep?list-type=2&prefix=repo/");
  EXPECT_NE(listing.find("<Key>repo/__ss_a/__info_1</Key>"), std::string::npos) << listing;
  for (const char* bad : {"", "a//b", "../x", "a/./b", "a/"}) EXPECT_FALSE((*s3)->seed_object("starkeep", bad, "x")) << bad;
  EXPECT_FALSE((*s3)->seed_object("absent", "k", "x"));
}

TEST(S3rverInstance, TwoInstancesRunSideBySide) {
  auto a = S3rverInstance::start();
  auto b = S3rverInstance::start();
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_NE((*a)->port(), (*b)->port());
  EXPECT_NE((*a)->dir(), (*b)->dir());
}

TEST(S3rverInstance, AMissingInstallationSaysHowToInstall) {
  auto s3 = S3rverInstance::start({.s3rver_js = "/nonexistent/s3rver.js"});
  ASSERT_FALSE(s3);
  EXPECT_EQ(s3.error().code, "harness.not_found");
  EXPECT_NE(s3.error().message.find("npm ci --prefix tests/s3rver"), std::string::npos) << s3.error().message;
}

}  // namespace
}  // namespace sk::emu::harness
