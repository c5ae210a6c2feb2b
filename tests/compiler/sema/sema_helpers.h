// Test helper: parse + build_model on a text.
#pragma once

#include <memory>
#include <string>

#include "compiler/sema/build_model.h"
#include "compiler/syntax/parse.h"

namespace sk::test {

struct Compiled {
  diag::SourceFile file;
  diag::DiagnosticSink sink;
  std::optional<model::Policy> model;

  [[nodiscard]] std::string text() const { return diag::render_text(file, sink.diagnostics()); }
  [[nodiscard]] bool has(diag::Code code) const {
    for (const auto& d : sink.diagnostics()) {
      if (d.code == code) return true;
    }
    return false;
  }
  [[nodiscard]] const diag::Diagnostic* first(diag::Code code) const {
    for (const auto& d : sink.diagnostics()) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }
  [[nodiscard]] std::string at(diag::SourceRange r) const {
    return std::string(file.text().substr(r.begin, r.end - r.begin));
  }
};

inline std::unique_ptr<Compiled> compile(std::string text, std::string path = "t.skp") {
  auto c = std::make_unique<Compiled>(Compiled{diag::SourceFile(std::move(path), std::move(text)), {}, {}});
  const ast::Policy ast = syntax::parse(c->file, c->sink);
  c->model = sema::build_model(ast, c->sink);
  c->sink.sort_by_position();
  return c;
}

// A minimal valid policy with `tiers` (and anything else) inserted in its body.
inline std::string policy_with(const std::string& body) {
  return "policy \"t\" {\n  databases = [\"sales\"]\n  repository \"r\" { location = \"s3a://b/p\" }\n" + body +
         "\n}\n";
}

}  // namespace sk::test
