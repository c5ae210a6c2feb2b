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
  std::vector<size_t> firing;
  for (size_t k = 0; k < n_; ++k) {
    if (policy_->tiers[k].schedule.fires_on(d)) firing.push_back(k);
  }
  return resolve(firing, d);
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
  std::sort(groups.begin(), groups.end(), [](const SlotGroup& a, const SlotGroup& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.runner < b.runner;
  });
  return groups;
}

}  // namespace sk::analysis
