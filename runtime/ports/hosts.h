// Host names as the runtime's HTTP clients (alert notifiers, the S3 client) classify them: plain http is allowed
// only to a loopback host, so local receivers, s3rver and tests work without certificates while a remote endpoint
// must be HTTPS. Pure; thread-safe.
#pragma once

#include <string_view>

namespace sk::ports {

// True for "localhost" (any case), IPv4 127.0.0.0/8 and "[::1]" / "::1".
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace sk::ports
