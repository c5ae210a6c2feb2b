#include "emulator/harness/env_file.h"

#include <fstream>

namespace sk::emu::harness {
namespace {

// Single-quoted for the shell: ' becomes '\''.
std::string shell_quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Result<std::string> shell_unquote(const std::string& q) {
  std::string out;
  size_t i = 0;
  while (i < q.size()) {
    if (q[i] == '\'') {
      size_t end = q.find('\'', i + 1);
      if (end == std::string::npos) return fail("harness.env", "unterminated quote in {}", q);
      out += q.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (q[i] == '\\' && i + 1 < q.size()) {
      out += q[i + 1];
      i += 2;
    } else {
      out += q[i++];
    }
  }
  return out;
}

}  // namespace

Status write_env_file(const std::filesystem::path& file, const EnvValues& values) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return fail("harness.io", "cannot write {}", tmp.string());
    out << "# Written by starkeep-emu-harness up; source it from a shell. Removed by `down`.\n";
    for (const auto& [key, value] : values) out << "export " << key << "=" << shell_quote(value) << "\n";
    if (!out.flush()) return fail("harness.io", "cannot write {}", tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return fail("harness.io", "cannot rename {} to {}: {}", tmp.string(), file.string(), ec.message());
  return ok();
}

Result<EnvValues> read_env_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return fail("harness.io", "cannot read {}", file.string());
  EnvValues values;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    constexpr std::string_view kExport = "export ";
    size_t eq = line.find('=');
    if (!line.starts_with(kExport) || eq == std::string::npos) {
      return fail("harness.env", "unexpected line in {}: {}", file.string(), line);
    }
    auto value = shell_unquote(line.substr(eq + 1));
    if (!value) return std::unexpected(value.error());
    values[line.substr(kExport.size(), eq - kExport.size())] = *value;
  }
  return values;
}

}  // namespace sk::emu::harness
