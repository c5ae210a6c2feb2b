// Where and how to connect to the StarRocks FE, and how those settings are resolved from the command line, the
// environment and a MySQL option file. Precedence, per setting: flags > environment > option file > defaults.
//
//   setting      flag (ConnectionFlags)        environment                 option file ([client] group)
//   host         host                          STARKEEP_HOST               host
//   port         port                          STARKEEP_PORT               port
//   user         user                          STARKEEP_USER               user
//   password     password, then password_file  STARKEEP_PASSWORD, then     password
//                                              STARKEEP_PASSWORD_FILE
//   database     database                      STARKEEP_DATABASE           database
//   TLS CA       ssl_ca                        STARKEEP_SSL_CA             ssl-ca
//   TLS mode     tls_mode                      STARKEEP_SSL_MODE           ssl-mode; ssl-verify-server-cert
//   option file  defaults_file                 STARKEEP_DEFAULTS_FILE      —
// No option file is read unless one is named (no implicit ~/.my.cnf), so a run is reproducible from its flags and
// environment. A password file holds the password on its first line (a trailing newline is dropped).
// Errors: "sql.config" (bad value, unreadable file, unsupported option-file syntax) naming the setting and its
// source — never the password itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sk::mysql {

inline constexpr std::string_view kConfigError = "sql.config";

// TLS requirements, named as in MySQL's --ssl-mode. Connector/C++ 1.1.12 on libmariadb can make TLS mandatory
// only together with certificate verification (its "sslEnforce" and "OPT_SSL_MODE" are ignored and it silently
// falls back to plain TCP), so every mode except kDisabled is enforced as VERIFY_IDENTITY: TLS, the certificate
// chains to ssl_ca (or the system CAs when ssl_ca is empty) and names the host. Never weaker than asked, sometimes
// stricter; a private CA needs ssl_ca. PREFERRED (TLS only if offered) is refused: it would allow plain TCP.
enum class TlsMode {
  kDisabled,        // plain TCP
  kRequired,        // TLS mandatory (enforced as kVerifyIdentity, see above)
  kVerifyCa,        // TLS, certificate must chain to ssl_ca (enforced as kVerifyIdentity)
  kVerifyIdentity,  // TLS, certificate chains to ssl_ca and names the host
};
// "DISABLED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY" (case-insensitive).
[[nodiscard]] Result<TlsMode> parse_tls_mode(std::string_view text);
[[nodiscard]] std::string_view to_string(TlsMode mode);

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9030;  // StarRocks FE query_port
  std::string user = "root";
  std::string password;       // secret: never logged; describe() leaves it out
  std::string database;       // default database after connecting; empty: none
  std::chrono::seconds connect_timeout{10};
  // Per network read/write. The client library may retry a read before giving up, so the effective wait can be a
  // small multiple of this. Long server work (BACKUP) is asynchronous and never blocks a read.
  std::chrono::seconds read_timeout{60};
  std::chrono::seconds write_timeout{60};
  TlsMode tls_mode = TlsMode::kDisabled;
  std::string ssl_ca;         // PEM file of the CA; required by kVerifyCa, optional otherwise (system CAs)

  // "root@127.0.0.1:9030/ops (tls=DISABLED)" — safe to log.
  [[nodiscard]] std::string describe() const;
};

// What the command line supplied; nullopt: not given.
struct ConnectionFlags {
  std::optional<std::string> host;
  std::optional<std::string> port;
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::optional<std::string> password_file;
  std::optional<std::string> database;
  std::optional<std::string> ssl_ca;
  std::optional<std::string> tls_mode;
  std::optional<std::string> defaults_file;
  std::optional<std::chrono::seconds> connect_timeout;
  std::optional<std::chrono::seconds> read_timeout;
};

// Looks an environment variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment (std::getenv).
[[nodiscard]] EnvLookup process_environment();

// One group of a MySQL option file: option names normalised to lower case with '_' → '-', values unquoted and
// unescaped. A bare option ("ssl-verify-server-cert") has the value "".
using OptionGroup = std::map<std::string, std::string>;

// Parses MySQL option-file text and returns the named group (empty if absent; a group repeated is merged, later
// values win). Syntax: [group] headers; "name", "name=value", "name = value"; '#' and ';' comment lines; '#'
// after an unquoted value starts a comment; values in '…' or "…" keep '#' and take the escapes
// \b \t \n \r \\ \s (backslash-b, -t, -n, -r, -backslash, -s for space). "!include" and "!includedir" are
// rejected ("sql.config"): silently skipping them would connect with the wrong settings.
[[nodiscard]] Result<OptionGroup> parse_option_file(std::string_view text, std::string_view group = "client");

// Resolves the settings with the precedence above. Reads the option file and password file named in `flags` or
// the environment.
[[nodiscard]] Result<ConnectionOptions> resolve_connection_options(const ConnectionFlags& flags, const EnvLookup& env);

}  // namespace sk::mysql
