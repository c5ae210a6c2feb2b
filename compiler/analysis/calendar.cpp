#include "compiler/analysis/calendar.h"

#include <algorithm>

namespace sk::analysis {

Calendar::Calendar(const model::Policy& policy) : policy_(&policy), n_(policy.tiers.size()) {
  closure_.assign(n_ * n_, 0);
  for (size_t a = 0; a < n_; ++a) {
    for (const TierName& c : policy.tiers[a].covers) {
      for (size_t b = 0; b < n_; ++b) {
        if (b != a && policy.tiers[b].name == c) closure_[a * n_ + b] = 1;
      }
    }
  }
  // Warshall; n is small (a handful of tiers).
  for (size_t k = 0; k < n_; ++k) {
    for (size_t a = 0; a < n_; ++a) {
      if (!closure_[a * n_ + k]) continue;
      for (size_t b = 0; b < n_; ++b) {
        if (closure_[k * n_ + b] && a != b) closure_[a * n_ + b] = 1;
      }
    }
  }
}

Instant Calendar::firing_on(size_t tier, CivilDay day) const {
  return policy_->time_zone.from_local(policy_->tiers[tier].schedule.at().on(day));
}

std::vector<SlotGroup> Calendar::day(CivilDay d) const {
  std::vector<size_t> firing, sub_daily;
  for (size_t k = 0; k < n_; ++k) {
    const Schedule& s = policy_->tiers[k].schedule;
    if (s.fires_on(d)) (s.sub_daily() ? sub_daily : firing).push_back(k);
  }
  std::vector<SlotGroup> groups = resolve(firing, d);
  if (sub_daily.empty()) return groups;
  add_sub_daily(sub_daily, d, groups);
  std::sort(groups.begin(), groups.end(), [](const SlotGroup& a, const SlotGroup& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.runner < b.runner;
  });
  return groups;
}

void Calendar::add_sub_daily(const std::vector<size_t>& firing, CivilDay d, std::vector<SlotGroup>& groups) const {
  // The sub-daily slots of the day by instant; at each instant, the tiers firing then (sub-daily ones and the
  // once-a-day jobs at that instant) resolve coverage as a day's tiers do.
  std::vector<std::pair<Schedule::Slot, size_t>> slots;
  for (size_t k : firing) {
    for (const Schedule::Slot& s : policy_->tiers[k].schedule.slots_on(d, policy_->time_zone)) slots.push_back({s, k});
  }
  std::stable_sort(slots.begin(), slots.end(), [](const auto& a, const auto& b) { return a.first.at < b.first.at; });
  const size_t once_a_day = groups.size();
  for (size_t i = 0; i < slots.size();) {
    size_t j = i;
    while (j < slots.size() && slots[j].first.at == slots[i].first.at) ++j;
    const Instant at = slots[i].first.at;
    std::vector<size_t> candidates;  // runners at this instant: once-a-day groups first, then sub-daily tiers
    for (size_t g = 0; g < once_a_day; ++g) {
      if (groups[g].slot == at) candidates.push_back(groups[g].runner);
    }
    for (size_t x = i; x < j; ++x) candidates.push_back(slots[x].second);
    const size_t first_new = groups.size();
    for (size_t x = i; x < j; ++x) {
      const size_t t = slots[x].second;
      if (std::any_of(candidates.begin(), candidates.end(), [&](size_t o) { return o != t && covers(o, t); })) continue;
      SlotGroup g;
      g.runner = t;
      g.slot = at;
      g.local = slots[x].first.local;
      groups.push_back(std::move(g));
    }
    for (size_t x = i; x < j; ++x) {
      const size_t t = slots[x].second;
      SlotGroup* best = nullptr;
      for (size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].slot != at || (g < once_a_day && !covers(groups[g].runner, t))) continue;
        if (g >= first_new && groups[g].runner != t && !covers(groups[g].runner, t)) continue;
        if (groups[g].runner == t) {
          best = &groups[g];
          break;
        }
        if (best == nullptr || policy_->tiers[groups[g].runner].precedence > policy_->tiers[best->runner].precedence) {
          best = &groups[g];
        }
      }
      if (best == nullptr) continue;
      best->satisfied.push_back(t);
      std::sort(best->satisfied.begin(), best->satisfied.end());
      settle_retention(*best);
    }
    i = j;
  }
}

void Calendar::settle_retention(SlotGroup& g) const {
  g.retain_from = g.runner;
  g.retain = policy_->tiers[g.runner].retain;
  g.expires = g.retain.after(g.slot, policy_->time_zone);
  for (size_t t : g.satisfied) {
    const Instant until = policy_->tiers[t].retain.after(g.slot, policy_->time_zone);
    if (until > g.expires) {
      g.retain = policy_->tiers[t].retain;
      g.expires = until;
      g.retain_from = t;
    }
  }
}

Calendar::Role Calendar::role_at(size_t tier, CivilDay d, Instant slot) const {
  if (!policy_->tiers[tier].schedule.sub_daily()) return role_on(tier, d);
  std::vector<SlotGroup> groups = run_order(d);
  std::erase_if(groups, [&](const SlotGroup& g) { return g.slot != slot; });
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& s = groups[i].satisfied;
    if (std::find(s.begin(), s.end(), tier) != s.end()) return Role{groups[i].runner, i + 1, groups.size()};
  }
  return Role{tier, 1, std::max<size_t>(groups.size(), 1)};
}

std::vector<SlotGroup> Calendar::run_order(CivilDay d) const {
  std::vector<SlotGroup> groups = day(d);
  std::stable_sort(groups.begin(), groups.end(), [this](const SlotGroup& a, const SlotGroup& b) {
    return policy_->tiers[a.runner].precedence > policy_->tiers[b.runner].precedence;
  });
  return groups;
}

Calendar::Role Calendar::role_on(size_t tier, CivilDay d) const {
  const std::vector<SlotGroup> groups = run_order(d);
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& s = groups[i].satisfied;
    if (std::find(s.begin(), s.end(), tier) != s.end()) return Role{groups[i].runner, i + 1, groups.size()};
  }
  return Role{tier, 1, std::max<size_t>(groups.size(), 1)};
}

std::vector<SlotGroup> Calendar::resolve(const std::vector<size_t>& firing, CivilDay d) const {
  std::vector<SlotGroup> groups;
  auto covered_by_other = [&](size_t t) {
    return std::any_of(firing.begin(), firing.end(), [&](size_t o) { return o != t && covers(o, t); });
  };
  for (size_t t : firing) {
    if (covered_by_other(t)) continue;
    SlotGroup g;
    g.runner = t;
    g.slot = firing_on(t, d);
    g.local = policy_->tiers[t].schedule.at().on(d);
    groups.push_back(std::move(g));
  }
  for (size_t t : firing) {
    // The group whose runner covers t with the highest precedence (then declared first); t's own group if none.
    SlotGroup* best = nullptr;
    for (SlotGroup& g : groups) {
      if (g.runner != t && !covers(g.runner, t)) continue;
      if (g.runner == t) {
        best = &g;
        break;
      }
      if (best == nullptr || policy_->tiers[g.runner].precedence > policy_->tiers[best->runner].precedence) best = &g;
    }
    if (best != nullptr) best->satisfied.push_back(t);
  }
  for (SlotGroup& g : groups) {
    std::sort(g.satisfied.begin(), g.satisfied.end());
    settle_retention(g);
  }
  std::sort(groups.begin(), groups.end(), [](const SlotGroup& a, const SlotGroup& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.runner < b.runner;
  });
  return groups;
}

}  // namespace sk::analysis
