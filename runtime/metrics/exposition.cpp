#include "runtime/metrics/exposition.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>
#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace sk::metrics {
namespace {

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

void sort_samples(std::vector<Sample>& samples) {
  std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
    if (a.family != b.family) return a.family < b.family;
    return a.label_values < b.label_values;
  });
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }
std::string escape_help(std::string_view help) { return escape(help, false); }

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);
}

std::string render_text(std::vector<Sample> samples) {
  sort_samples(samples);
  std::string out;
  std::optional<MetricId> current;
  for (const auto& s : samples) {
    const MetricFamily& f = family(s.family);
    const auto labels = label_names(f);
    assert(labels.size() == s.label_values.size());
    if (current != s.family) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, escape_help(f.help), f.name, to_string(f.type));
      current = s.family;
    }
    out += f.name;
    if (!labels.empty()) {
      out += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        out += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", labels[i], escape_label_value(s.label_values[i]));
      }
      out += '}';
    }
    out += ' ';
    out += format_value(s.value);
    out += '\n';
  }
  return out;
}

std::string render_json(std::vector<Sample> samples) {
  sort_samples(samples);
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& s : samples) {
    const MetricFamily& f = family(s.family);
    const auto labels = label_names(f);
    nlohmann::json l = nlohmann::json::object();
    for (std::size_t i = 0; i < labels.size() && i < s.label_values.size(); ++i) {
      l[std::string(labels[i])] = s.label_values[i];
    }
    metrics.push_back({{"name", f.name}, {"type", to_string(f.type)}, {"labels", l}, {"value", s.value}});
  }
  nlohmann::json doc{{"metrics_version", kMetricsJsonVersion}, {"metrics", metrics}};
  return json_text(doc, 2) + "\n";
}

}  // namespace sk::metrics
