#include "tests/fuzz/fuzz_policy.h"

#include <exception>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/sema/build_model.h"
#include "compiler/syntax/parse.h"

namespace sk::fuzz {

std::string check_diagnostics(const diag::SourceFile& file, const std::vector<diag::Diagnostic>& diagnostics) {
  const size_t size = file.text().size();
  const auto in_file = [&](const std::optional<diag::SourceRange>& r) {
    return !r || (r->begin <= r->end && r->end <= size);
  };
  for (const diag::Diagnostic& d : diagnostics) {
    if (!in_file(d.range)) {
      return fmt::format("{}: {} range [{}, {}) outside the file of {} bytes", file.path(), diag::code_text(d.code),
                         d.range->begin, d.range->end, size);
    }
    if (d.message.empty()) return fmt::format("{}: {} has an empty message", file.path(), diag::code_text(d.code));
    for (const diag::Note& n : d.notes) {
      if (!in_file(n.range)) {
        return fmt::format("{}: a note of {} is outside the file", file.path(), diag::code_text(d.code));
      }
      if (n.message.empty()) return fmt::format("{}: a note of {} is empty", file.path(), diag::code_text(d.code));
    }
  }
  return {};
}

std::string check_rendering(const diag::SourceFile& file, const std::vector<diag::Diagnostic>& diagnostics) {
  const std::string text = diag::render_text(file, diagnostics);
  if (!diagnostics.empty() && text.empty()) return fmt::format("{}: render_text is empty", file.path());
  (void)diag::render_text(file, diagnostics, true);
  const nlohmann::json json = diag::render_json(file, diagnostics);
  (void)json.dump(2);
  if (!json.is_array() || json.size() != diagnostics.size()) {
    return fmt::format("{}: render_json has {} entries for {} diagnostics", file.path(), json.size(),
                       diagnostics.size());
  }
  const int64_t line_count = file.line_count();
  for (size_t i = 0; i < diagnostics.size(); ++i) {
    if (!diagnostics[i].range) continue;
    const nlohmann::json& j = json[i];
    for (const char* key : {"line", "end_line"}) {
      const int64_t line = j.at(key).get<int64_t>();
      if (line < 1 || line > line_count) {
        return fmt::format("{}: {} of {} is {} (the file has {} lines)", file.path(), key,
                           diag::code_text(diagnostics[i].code), line, line_count);
      }
    }
    if (j.at("col").get<int64_t>() < 1 || j.at("end_col").get<int64_t>() < 1) {
      return fmt::format("{}: a column of {} is not positive", file.path(), diag::code_text(diagnostics[i].code));
    }
  }
  return {};
}

std::string check_model(const model::Policy& policy) {
  for (const model::Tier& t : policy.tiers) {
    if (t.include.to_string().empty()) return "an include rule renders empty";
    if (t.schedule.to_string().empty()) return "a schedule renders empty";
  }
  for (const model::Alert& a : policy.alerts) {
    if (a.when.to_string().empty()) return "an alert condition renders empty";
  }
  return {};
}

std::string check_policy_input(const uint8_t* data, size_t size) {
  try {
    const diag::SourceFile file("fuzz.skp", std::string(reinterpret_cast<const char*>(data), size));
    diag::DiagnosticSink sink;
    const ast::Policy ast = syntax::parse(file, sink);
    const std::optional<model::Policy> model = sema::build_model(ast, sink);
    if (model.has_value() == sink.has_errors()) {
      return fmt::format("model present = {} but error count = {}", model.has_value(), sink.error_count());
    }
    if (std::string problem = check_diagnostics(file, sink.diagnostics()); !problem.empty()) return problem;
    sink.sort_by_position();
    if (std::string problem = check_rendering(file, sink.diagnostics()); !problem.empty()) return problem;
    if (model) return check_model(*model);
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  } catch (...) {
    return "unknown exception";
  }
  return {};
}

}  // namespace sk::fuzz
