#include "runtime/mysql/connection_options.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sk::mysql {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string normalise_name(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '_') c = '-';
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string(kConfigError), "cannot read the {} '{}'", what, path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(std::string(kConfigError), "cannot read the {} '{}'", what, path);
  return text.str();
}

// An option-file value: quoted ('…' / "…", with escapes) or bare (up to a '#' comment).
Result<std::string> parse_value(std::string_view raw, std::size_t line_number) {
  raw = trim(raw);
  if (!raw.empty() && (raw.front() == '\'' || raw.front() == '"')) {
    const char q = raw.front();
    std::string out;
    std::size_t i = 1;
    for (; i < raw.size(); ++i) {
      const char c = raw[i];
      if (c == q) break;
      if (c == '\\' && i + 1 < raw.size()) {
        const char e = raw[++i];
        switch (e) {
          case 'b': out += '\b'; break;
          case 't': out += '\t'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 's': out += ' '; break;
          case '\\': out += '\\'; break;
          default: out += e; break;
        }
        continue;
      }
      out += c;
    }
    if (i >= raw.size()) return fail(std::string(kConfigError), "option file line {}: unterminated quoted value", line_number);
    const std::string_view rest = trim(raw.substr(i + 1));
    if (!rest.empty() && rest.front() != '#') {
      return fail(std::string(kConfigError), "option file line {}: unexpected text after a quoted value", line_number);
    }
    return out;
  }
  const std::size_t hash = raw.find('#');
  if (hash != std::string_view::npos) raw = trim(raw.substr(0, hash));
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      const char e = raw[++i];
      switch (e) {
        case 'b': out += '\b'; break;
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 's': out += ' '; break;
        case '\\': out += '\\'; break;
        default: out += '\\'; out += e; break;  // MySQL keeps unknown escapes as written (Windows paths)
      }
      continue;
    }
    out += raw[i];
  }
  return out;
}

Result<std::uint16_t> parse_port(std::string_view text, std::string_view source) {
  text = trim(text);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return fail(std::string(kConfigError), "port '{}' from {} is not a number in 1..65535", text, source);
  }
  return static_cast<std::uint16_t>(value);
}

Result<std::string> first_line_of(const std::string& path) {
  auto text = read_file(path, "password file");
  if (!text) return std::unexpected(std::move(text.error()));
  std::string line = text->substr(0, text->find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A setting's value and where it came from (for error messages).
struct Sourced {
  std::string value;
  std::string source;
};

}  // namespace

Result<TlsMode> parse_tls_mode(std::string_view text) {
  const std::string u = upper(trim(text));
  if (u == "DISABLED") return TlsMode::kDisabled;
  if (u == "REQUIRED") return TlsMode::kRequired;
  if (u == "VERIFY_CA") return TlsMode::kVerifyCa;
  if (u == "VERIFY_IDENTITY") return TlsMode::kVerifyIdentity;
  if (u == "PREFERRED") {
    return fail(std::string(kConfigError),
                "ssl mode PREFERRED is not supported; use DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
  }
  return fail(std::string(kConfigError), "unknown ssl mode '{}' (expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY)",
              text);
}

std::string_view to_string(TlsMode mode) {
  switch (mode) {
    case TlsMode::kDisabled: return "DISABLED";
    case TlsMode::kRequired: return "REQUIRED";
    case TlsMode::kVerifyCa: return "VERIFY_CA";
    case TlsMode::kVerifyIdentity: return "VERIFY_IDENTITY";
  }
  return "DISABLED";
}

std::string ConnectionOptions::describe() const {
  return fmt::format("{}@{}:{}/{} (tls={})", user, host, port, database, to_string(tls_mode));
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

Result<OptionGroup> parse_option_file(std::string_view text, std::string_view group) {
  OptionGroup out;
  const std::string wanted = normalise_name(group);
  bool in_group = false;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_number;
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '!') {
      return fail(std::string(kConfigError), "option file line {}: '{}' is not supported", line_number,
                  line.substr(0, line.find_first_of(" \t")));
    }
    if (line.front() == '[') {
      const std::size_t close = line.find(']');
      if (close == std::string_view::npos) {
        return fail(std::string(kConfigError), "option file line {}: unterminated group header", line_number);
      }
      in_group = normalise_name(trim(line.substr(1, close - 1))) == wanted;
      continue;
    }
    if (!in_group) continue;
    const std::size_t eq = line.find('=');
    std::string name = normalise_name(trim(line.substr(0, eq)));
    if (eq == std::string_view::npos) {
      const std::size_t hash = name.find('#');
      if (hash != std::string::npos) name = std::string(trim(name.substr(0, hash)));
      out[name] = "";
      continue;
    }
    auto value = parse_value(line.substr(eq + 1), line_number);
    if (!value) return std::unexpected(std::move(value.error()));
    out[name] = std::move(*value);
  }
  return out;
}

namespace {

// The option file (--defaults-file or STARKEEP_DEFAULTS_FILE), if any, and the settings it gives.
struct OptionFile {
  OptionGroup values;
  std::string source;  // "option file <path>"

  // flag > env > file, for one plain setting.
  [[nodiscard]] std::optional<Sourced> pick(const std::optional<std::string>& flag,
                                            std::string_view flag_name, std::string_view env_name,
                                            std::string_view file_key, const EnvLookup& env) const {
    if (flag) return Sourced{*flag, fmt::format("--{}", flag_name)};
    if (auto v = env(env_name)) return Sourced{*v, std::string(env_name)};
    if (auto it = values.find(std::string(file_key)); it != values.end()) {
      return Sourced{it->second, fmt::format("{} ({})", source, file_key)};
    }
    return std::nullopt;
  }
};

Result<OptionFile> load_option_file(const ConnectionFlags& flags, const EnvLookup& env) {
  OptionFile file;
  std::optional<std::string> defaults_file = flags.defaults_file;
  if (!defaults_file) defaults_file = env("STARKEEP_DEFAULTS_FILE");
  if (!defaults_file) return file;
  auto text = read_file(*defaults_file, "option file");
  if (!text) return std::unexpected(std::move(text.error()));
  auto parsed = parse_option_file(*text);
  if (!parsed)
    return std::unexpected(std::move(parsed.error()).with_context("in option file " + *defaults_file));
  file.values = std::move(*parsed);
  file.source = "option file " + *defaults_file;
  return file;
}

// Password: flag, flag file, env, env file, option file.
Status resolve_password(const ConnectionFlags& flags, const EnvLookup& env, const OptionFile& file,
                        ConnectionOptions& out) {
  if (flags.password) {
    out.password = *flags.password;
  } else if (flags.password_file) {
    auto pw = first_line_of(*flags.password_file);
    if (!pw) return std::unexpected(std::move(pw.error()));
    out.password = std::move(*pw);
  } else if (auto v = env("STARKEEP_PASSWORD")) {
    out.password = *v;
  } else if (auto f = env("STARKEEP_PASSWORD_FILE")) {
    auto pw = first_line_of(*f);
    if (!pw) return std::unexpected(std::move(pw.error()).with_context("from STARKEEP_PASSWORD_FILE"));
    out.password = std::move(*pw);
  } else if (auto it = file.values.find("password"); it != file.values.end()) {
    out.password = it->second;
  }
  return {};
}

// TLS mode: an explicit mode wins; "ssl-verify-server-cert" in the file means VERIFY_IDENTITY; a CA alone
// means VERIFY_CA.
Status resolve_tls_mode(const ConnectionFlags& flags, const EnvLookup& env, const OptionFile& file,
                        ConnectionOptions& out) {
  if (auto v = file.pick(flags.tls_mode, "ssl-mode", "STARKEEP_SSL_MODE", "ssl-mode", env)) {
    auto mode = parse_tls_mode(v->value);
    if (!mode) return std::unexpected(std::move(mode.error()).with_context("from " + v->source));
    out.tls_mode = *mode;
  } else if (file.values.contains("ssl-verify-server-cert")) {
    out.tls_mode = TlsMode::kVerifyIdentity;
  } else if (!out.ssl_ca.empty()) {
    out.tls_mode = TlsMode::kVerifyCa;
  }
  if (out.tls_mode == TlsMode::kVerifyCa && out.ssl_ca.empty()) {
    return fail(std::string(kConfigError), "ssl mode {} needs a CA file (--ssl-ca, STARKEEP_SSL_CA or ssl-ca)",
                to_string(out.tls_mode));
  }
  return {};
}

}  // namespace

Result<ConnectionOptions> resolve_connection_options(const ConnectionFlags& flags, const EnvLookup& env) {
  auto file = load_option_file(flags, env);
  if (!file) return std::unexpected(std::move(file.error()));
  const auto pick = [&](const std::optional<std::string>& flag, std::string_view flag_name,
                        std::string_view env_name, std::string_view file_key) {
    return file->pick(flag, flag_name, env_name, file_key, env);
  };

  ConnectionOptions out;
  if (auto v = pick(flags.host, "host", "STARKEEP_HOST", "host")) {
    if (v->value.empty()) return fail(std::string(kConfigError), "empty host from {}", v->source);
    out.host = v->value;
  }
  if (auto v = pick(flags.port, "port", "STARKEEP_PORT", "port")) {
    auto port = parse_port(v->value, v->source);
    if (!port) return std::unexpected(std::move(port.error()));
    out.port = *port;
  }
  if (auto v = pick(flags.user, "user", "STARKEEP_USER", "user")) {
    if (v->value.empty()) return fail(std::string(kConfigError), "empty user from {}", v->source);
    out.user = v->value;
  }
  if (auto v = pick(flags.database, "database", "STARKEEP_DATABASE", "database")) out.database = v->value;
  if (auto v = pick(flags.ssl_ca, "ssl-ca", "STARKEEP_SSL_CA", "ssl-ca")) out.ssl_ca = v->value;
  if (auto s = resolve_password(flags, env, *file, out); !s) return std::unexpected(std::move(s.error()));
  if (auto s = resolve_tls_mode(flags, env, *file, out); !s) return std::unexpected(std::move(s.error()));

  if (flags.connect_timeout) out.connect_timeout = *flags.connect_timeout;
  if (flags.read_timeout) {
    out.read_timeout = *flags.read_timeout;
    out.write_timeout = *flags.read_timeout;
  }
  if (out.connect_timeout.count() <= 0 || out.read_timeout.count() <= 0) {
    return fail(std::string(kConfigError), "timeouts must be positive");
  }
  return out;
}

}  // namespace sk::mysql
