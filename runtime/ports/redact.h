// Secret redaction for everything the runner writes down (statement logs, error texts, history rows, plans):
// invariant 7, passwords and keys never appear in logs, history or metrics. Every log line that can contain a
// statement or a server message goes through redact() first. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sk::ports {

inline constexpr std::string_view kRedacted = "<redacted>";

// Returns `text` with secret values replaced by "<redacted>" (the surrounding quotes and keys are kept, so the
// statement stays readable). Recognised forms, case-insensitive, with '…', "…" or `…` quoting and any spacing:
//   * properties whose key names a secret: "aws.s3.secret_key" = "…", "aws.s3.access_key" = "…",
//     'password' = '…', "azure.blob.shared_key", "…token…", "…credential…", "…private_key…" etc.
//     (any key containing secret, password, passwd, pwd, access_key, accesskey, shared_key, sas_token, token,
//     credential, private_key, session_key, signature, api_key, auth_key, account_key or keytab, where '.' and
//     '-' in the key count as '_': "fs.s3a.access.key", "fs.azure.account.key.<account>…", "x-api-key");
//   * PASSWORD('…') / PASSWORD = '…' / PASSWORD "…";
//   * IDENTIFIED BY '…' and IDENTIFIED WITH plugin BY/AS '…';
//   * user:password@ in URLs (scheme://user:pass@host → scheme://user:<redacted>@host);
//   * command-line style --password=… / -p… is NOT touched (only SQL/URL forms are in scope).
// A quoted value that is not closed is redacted to the end of the text. Text without secrets comes back unchanged.
[[nodiscard]] std::string redact(std::string_view text);

}  // namespace sk::ports
