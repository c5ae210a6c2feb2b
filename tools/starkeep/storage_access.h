// The one way the CLI opens a repository's bucket for starkeep's own S3 requests (expire before 4.2, repository
// check's listing and posture reads): s3::config_for with the credentials `repository apply` reads
// (STARKEEP_S3_ACCESS_KEY / STARKEEP_S3_SECRET_KEY, never a flag), and the production client.
#pragma once

#include "runtime/expire/expire_service.h"
#include "runtime/ports/clock.h"

namespace sk::cli {

// `sleeper` must outlive every store the returned function opens.
[[nodiscard]] expire::OpenStorage environment_storage(ports::Sleeper& sleeper);

}  // namespace sk::cli
