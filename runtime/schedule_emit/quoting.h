// Quoting of values inside scheduler artefacts: each format has its own rules, and a policy path may hold spaces,
// quotes, '%', '$' or non-ASCII text. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sk::schedule_emit {

// One POSIX sh word: unchanged when it holds only [A-Za-z0-9_./:=@+,-], else single-quoted ('\'' for a quote).
[[nodiscard]] std::string shell_quote(std::string_view word);
// argv as one sh command line.
[[nodiscard]] std::string shell_command(const std::vector<std::string>& argv);
// A cron command field: '%' (a newline to cron) becomes "\%".
[[nodiscard]] std::string cron_escape(std::string_view command);
// One word of a systemd command line (ExecStart=): '%' → "%%" (specifiers), '$' → "$$" (variables), and a
// word with a blank, a quote or a backslash double-quoted with C escapes.
[[nodiscard]] std::string systemd_word(std::string_view word);
// A systemd setting's value that is not split into words (Description=, EnvironmentFile=, LoadCredential=):
// '%' → "%%".
[[nodiscard]] std::string systemd_value(std::string_view value);
// A double-quoted YAML scalar (JSON string escapes, which YAML's double-quoted style shares), also a valid Python
// string literal.
[[nodiscard]] std::string json_quote(std::string_view text);
// Jinja (Airflow templates every bash_command): text holding "{{", "{%" or "{#" is wrapped in
// {% raw %}…{% endraw %}. Text that holds "endraw" as well cannot be wrapped: empty optional-like "" is returned
// and the caller refuses the value.
[[nodiscard]] std::string jinja_literal(std::string_view text);
// The first control character (below 0x20, or 0x7F) of `text`, or npos: no format here can carry one.
[[nodiscard]] size_t find_control(std::string_view text);

}  // namespace sk::schedule_emit
