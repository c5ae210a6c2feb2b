// A SqlConnection decorator that refuses to send a statement carrying credentials (a CREATE REPOSITORY with
// "aws.s3.secret_key", a password, a token: whatever redact() would hide) over a connection that could expose
// them: a plain-TCP connection to a host that is not loopback (issue 10 item 12). An explicit override lets it
// through and reports each such statement to `on_override` so the caller logs it. Statements without credentials
// pass untouched. Not thread-safe (like the connection).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "runtime/ports/sql_connection.h"

namespace sk::ports {

// True when a statement may carry credentials: the connection uses TLS or the host is loopback.
[[nodiscard]] bool credentials_may_travel(bool tls, std::string_view host);
// True when `sql` holds a secret value (redact() would change it).
[[nodiscard]] bool carries_credentials(std::string_view sql);

class CredentialGuard final : public SqlConnection {
 public:
  using OverrideHandler = std::function<void(std::string_view redacted_sql)>;
  // `inner` must outlive the guard. `safe`: credentials_may_travel() for this connection; `allow_insecure`: the
  // override flag; `endpoint` names the server in the error ("root@10.0.0.5:9030").
  CredentialGuard(SqlConnection& inner, bool safe, bool allow_insecure, std::string endpoint,
                  OverrideHandler on_override)
      : inner_(inner),
        safe_(safe),
        allow_insecure_(allow_insecure),
        endpoint_(std::move(endpoint)),
        on_override_(std::move(on_override)) {}

 private:
  Result<Rows> do_query(std::string_view sql, Idempotency idempotency) override;
  Status do_execute(std::string_view sql, Idempotency idempotency) override;
  // Ok when `sql` may be sent; "sql.insecure_credentials" when it must not.
  Status admit(std::string_view sql);

  SqlConnection& inner_;
  bool safe_;
  bool allow_insecure_;
  std::string endpoint_;
  OverrideHandler on_override_;
};

}  // namespace sk::ports
