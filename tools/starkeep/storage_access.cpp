#include "tools/starkeep/storage_access.h"

#include "runtime/repository/repository_apply.h"
#include "runtime/s3/s3_client.h"
#include "runtime/s3/s3_config.h"

namespace sk::cli {

expire::OpenStorage environment_storage(ports::Sleeper& sleeper) {
  return [&sleeper](const model::Repository& repo) -> Result<std::unique_ptr<s3::ObjectStore>> {
    auto config = s3::config_for(repo, repository::process_environment());
    if (!config) return std::unexpected(std::move(config.error()));
    return s3::make_s3_client(std::move(*config), sleeper);
  };
}

}  // namespace sk::cli
