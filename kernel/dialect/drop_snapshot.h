// DROP SNAPSHOT ... FORCE (StarRocks 4.2, DROP_SNAPSHOT.md): drops a snapshot whose info file names another cluster
// (or none), which the plain form refuses ("... Use DROP SNAPSHOT ... FORCE to drop it anyway"). Kept apart from
// starrocks_dialect.h's render_drop_snapshot so that only `expire` — the one caller allowed to force, and only for
// snapshots its history records as its own — includes it. Pure; thread-safe.
#pragma once

#include <string>

#include "kernel/domain/names.h"

namespace sk::dialect {

// DROP SNAPSHOT `label` ON `repo` FORCE
[[nodiscard]] std::string render_drop_snapshot_force(const RepositoryName& repo, const SnapshotLabel& label);

}  // namespace sk::dialect
