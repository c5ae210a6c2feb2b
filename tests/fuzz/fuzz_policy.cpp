#include "tests/fuzz/fuzz_policy.h"

#include <exception>

#include <fmt/format.h>

#include "compiler/sema/build_model.h"
#include "compiler/syntax/parse.h"

namespace sk::fuzz {

std::string check_policy_input(const uint8_t* data, size_t size) {
  try {
    const diag::SourceFile file("fuzz.skp", std::string(reinterpret_cast<const char*>(data), size));
    diag::DiagnosticSink sink;
    const ast::Policy ast = syntax::parse(file, sink);
    const std::optional<model::Policy> model = sema::build_model(ast, sink);
    if (model.has_value() == sink.has_errors()) {
      return fmt::format("model present = {} but error count = {}", model.has_value(), sink.error_count());
    }
    const auto in_file = [&](const std::optional<diag::SourceRange>& r) {
      return !r || (r->begin <= r->end && r->end <= file.text().size());
    };
    for (const diag::Diagnostic& d : sink.diagnostics()) {
      if (!in_file(d.range)) {
        return fmt::format("{} range [{}, {}) outside the file of {} bytes", diag::code_text(d.code), d.range->begin,
                           d.range->end, size);
      }
      if (d.message.empty()) return fmt::format("{} has an empty message", diag::code_text(d.code));
      for (const diag::Note& n : d.notes) {
        if (!in_file(n.range)) return fmt::format("a note of {} is outside the file", diag::code_text(d.code));
      }
    }
    sink.sort_by_position();
    (void)diag::render_text(file, sink.diagnostics());
    (void)diag::render_json(file, sink.diagnostics()).dump(2);
    if (model) {
      for (const model::Tier& t : model->tiers) {
        (void)t.include.to_string();
        (void)t.schedule.to_string();
      }
      for (const model::Alert& a : model->alerts) (void)a.when.to_string();
    }
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  } catch (...) {
    return "unknown exception";
  }
  return {};
}

}  // namespace sk::fuzz
