// The production policy of product.md §2, built directly as a model (independent of the parser), for planner and
// analysis unit tests. `zone` lets tests run it in a DST zone.
#pragma once

#include <string>

#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"

// Designated initializers leave the source ranges defaulted; g++ 12 warns about that even for designated ones.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::testing {

inline model::Policy production_policy(const std::string& zone = "UTC") {
  using model::Predicate;
  auto at = [](int h, int m) { return TimeOfDay::from_hm(h, m).value(); };
  model::Policy p;
  p.name = "production";
  p.time_zone = TimeZone::parse(zone).value();
  p.databases.include = {DatabaseName::parse("sales").value(), DatabaseName::parse("crm").value()};
  p.repositories.push_back(model::Repository{RepositoryName::parse("s3_prod").value(), "s3a://acme-starrocks-backups/prod",
                                             "https://s3.eu-west-1.amazonaws.com", "eu-west-1",
                                             model::CredentialsKind::kEnvironment, std::nullopt, {}, {}, {}});
  auto label = LabelTemplate::parse(LabelTemplate::kDefault).value();

  const Schedule mon_sat = Schedule::weekly({Weekday::kMonday, Weekday::kTuesday, Weekday::kWednesday,
                                             Weekday::kThursday, Weekday::kFriday, Weekday::kSaturday},
                                            at(1, 0))
                               .value();
  model::Tier daily{.name = TierName::parse("daily").value(),
                    .kind = model::BackupKind::kChangedPartitions,
                    .include = Predicate::all_of({Predicate::class_in({"fact"}), Predicate::partitioned()}),
                    .changes = {},
                    .schedule = mon_sat,
                    .retain = Duration::from_days(14),
                    .window = Duration::from_hours(2),
                    .label = label,
                    .label_suffix = "inc"};
  model::Tier weekly{.name = TierName::parse("weekly").value(),
                     .kind = model::BackupKind::kTables,
                     .include = Predicate::any_of(
                         {Predicate::class_in({"dimension"}), Predicate::negate(Predicate::partitioned())}),
                     .changes = {},
                     .schedule = Schedule::weekly({Weekday::kSunday}, at(1, 0)).value(),
                     .retain = Duration::from_days(90),
                     .window = Duration::from_hours(4),
                     .label = label,
                     .label_suffix = "full"};
  model::Tier monthly{.name = TierName::parse("monthly").value(),
                      .kind = model::BackupKind::kDatabase,
                      .include = Predicate::always(),
                      .changes = {},
                      .schedule = Schedule::nth_weekday_of_month({NthWeekday{1, Weekday::kSunday}}, at(1, 0)).value(),
                      .retain = Duration::from_days(365),
                      .window = Duration::from_hours(8),
                      .label = label,
                      .precedence = 10,
                      .covers = {TierName::parse("weekly").value()},
                      .label_suffix = "base"};
  p.tiers = {daily, weekly, monthly};

  auto drill = [&](const char* name, Schedule s, const char* from, model::DrillScope scope) {
    return model::Drill{DrillName::parse(name).value(), std::move(s), TierName::parse(from).value(), scope,
                        model::Verification::kChecksum, {}, {}, {}, {}};
  };
  Schedule first_of_month = Schedule::days_of_month({1}, at(6, 0)).value();
  p.drills = {drill("partition", first_of_month, "daily", model::DrillScope::kPartition),
              drill("table", first_of_month.with_months({1, 4, 7, 10}).value(), "weekly", model::DrillScope::kTable),
              drill("database", first_of_month.with_months({1, 7}).value(), "monthly", model::DrillScope::kDatabase)};
  return p;
}

// sales: two partitioned fact tables, a dimension, an unpartitioned fact, a partitioned staging table;
// crm: a dimension and an unclassified partitioned table; other: not in the policy.
inline inventory::Inventory production_inventory() {
  inventory::Inventory inv;
  auto table = [](const char* db, const char* t, const char* cls, bool partitioned) {
    inventory::TableEntry e{DatabaseName::parse(db).value(), TableName::parse(t).value(), cls, partitioned, {}, {}, {}};
    return e;
  };
  inv.tables = {table("sales", "orders", "fact", true),     table("sales", "line_items", "fact", true),
                table("sales", "customers", "dimension", false), table("sales", "fx_rates", "fact", false),
                table("sales", "stage_orders", "staging", true), table("crm", "contacts", "dimension", true),
                table("crm", "events", "", true),                table("other", "x", "fact", true)};
  return inv;
}

}  // namespace sk::testing

#pragma GCC diagnostic pop
