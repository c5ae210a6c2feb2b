#include "runtime/ports/credential_guard.h"

#include "common/error_codes.h"
#include "runtime/ports/hosts.h"
#include "runtime/ports/redact.h"

namespace sk::ports {

bool credentials_may_travel(bool tls, std::string_view host) { return tls || is_loopback_host(host); }

bool carries_credentials(std::string_view sql) { return redact(sql) != sql; }

Status CredentialGuard::admit(std::string_view sql) {
  if (safe_ || !carries_credentials(sql)) return ok();
  if (allow_insecure_) {
    if (on_override_) on_override_(redact(sql));
    return ok();
  }
  return fail(errc::kSqlInsecureCredentials,
              "refused to send a statement with credentials to {} without TLS: {} (use --ssl-mode VERIFY_IDENTITY "
              "with --ssl-ca, or, knowingly, --allow-insecure-credentials)",
              endpoint_, redact(sql));
}

Result<Rows> CredentialGuard::do_query(std::string_view sql, Idempotency idempotency) {
  if (auto s = admit(sql); !s) return std::unexpected(s.error());
  return inner_.query(sql, idempotency);
}

Status CredentialGuard::do_execute(std::string_view sql, Idempotency idempotency) {
  if (auto s = admit(sql); !s) return s;
  return inner_.execute(sql, idempotency);
}

}  // namespace sk::ports
