// Cells of the cluster views the pre-checks read (SHOW FRONTENDS/BACKENDS liveness, SHOW PROC
// '/backends/<id>' disk capacities). Pure functions; thread-safe. Errors: "executor.parse".
#pragma once

#include <string_view>

#include "common/result.h"

namespace sk::executor {

// "1.234 TB" / "512.000 GB" / ".000 " / "0.000 B" → bytes. Errors: "executor.parse".
[[nodiscard]] Result<double> parse_capacity(std::string_view text);

// "true"/"false" (any case) → bool; anything else "executor.parse".
[[nodiscard]] Result<bool> parse_bool(std::string_view text);

}  // namespace sk::executor
