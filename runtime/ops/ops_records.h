// Internal to runtime/ops: the record maps of the ops tables (record_map.h), one per record type of
// ops_store.h, each naming which member every column of its TableSpec holds and how it is stored (text
// fitted, checked or redacted; enums and lists as text). OpsStore writes and reads every table through them,
// so a column is added by adding it to the TableSpec (ops_schema.cpp) and one field here. Also the blank
// records a read fills in. Thread safety: the maps are immutable statics, built on first use.
#pragma once

#include "runtime/ops/ops_store.h"
#include "runtime/ops/record_map.h"

namespace sk::ops::detail {

[[nodiscard]] const RecordMap<InventoryRecord>& inventory_map();   // table_inventory
[[nodiscard]] const RecordMap<BackupAttempt>& history_map();       // backup_history
[[nodiscard]] const RecordMap<ManifestEntry>& manifest_map();      // backup_manifest
[[nodiscard]] const RecordMap<PartitionSet>& partition_set_map();  // table_partition_set
[[nodiscard]] const RecordMap<LineageEdge>& lineage_map();         // snapshot_lineage
[[nodiscard]] const RecordMap<RestoreRecord>& restore_map();       // restore_history
[[nodiscard]] const RecordMap<RunMarker>& run_map();               // run_status
[[nodiscard]] const RecordMap<ExpiryRecord>& expiry_map();         // snapshot_expiry

// Records to read a row into: every member a column fills holds a placeholder until then.
[[nodiscard]] InventoryRecord blank_inventory();
[[nodiscard]] BackupAttempt blank_attempt();
[[nodiscard]] ManifestEntry blank_manifest_entry();
[[nodiscard]] PartitionSet blank_partition_set();
[[nodiscard]] LineageEdge blank_edge();
[[nodiscard]] RunMarker blank_marker();
[[nodiscard]] ExpiryRecord blank_expiry();
[[nodiscard]] RestoreRecord blank_restore();

}  // namespace sk::ops::detail
