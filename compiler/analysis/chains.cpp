#include "compiler/analysis/chains.h"

#include <algorithm>

namespace sk::analysis {

RestoreChain restore_chain(std::span<const ChainLink> links, size_t point) {
  RestoreChain out;
  size_t i = point;
  while (true) {
    out.links.push_back(i);
    if (links[i].full) {
      out.has_baseline = true;
      break;
    }
    if (i == 0) break;
    --i;
  }
  std::reverse(out.links.begin(), out.links.end());
  return out;
}

std::vector<Keep> chain_aware_keep(std::span<const ChainLink> links) {
  std::vector<Keep> keep(links.size());
  // Walking backwards: `carry` is the longest-lived dependant among the later links of the same chain segment
  // (links after this one up to, but not including, the next full link).
  std::optional<Keep> carry;
  for (size_t k = links.size(); k-- > 0;) {
    Keep own{links[k].expires, k};
    Keep best = (carry && carry->until > own.until) ? *carry : own;
    keep[k] = best;
    // An incremental needs every earlier link down to its baseline, so its keep carries backwards; a full link
    // needs nothing before it, so nothing is carried past it.
    carry = links[k].full ? std::nullopt : std::optional<Keep>(best);
  }
  return keep;
}

}  // namespace sk::analysis
