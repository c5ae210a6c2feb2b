// A test cluster: one private MariaDB plus one starkeep-emulator backed by it, in one work directory.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/harness/emulator_process.h"
#include "emulator/harness/mariadb_instance.h"

namespace sk::emu::harness {

struct ClusterOptions {
  std::filesystem::path emulator_binary{};
  std::vector<std::string> emulator_args{};  // extra emulator flags, e.g. {"--starrocks-version", "3.4.1"}
  // The work directory (emulator port file, log, repository root, MariaDB instance dir). Empty = a fresh temp
  // dir `starkeep-cluster-XXXXXX` under $TMPDIR or /tmp, removed by stop() unless keep.
  std::filesystem::path work_dir{};
  // The emulator's repository root; empty = <work_dir>/repository. Two clusters given the same root are two
  // "clusters" sharing one object store (cold-start DR, cross-cluster snapshot visibility).
  std::filesystem::path repository_root{};
  bool keep = false;
  bool die_with_parent = true;
  MariaDbOptions mariadb;  // parent_dir and keep_dir are set from the fields above
};

// Owns both processes; stop() (or the destructor) stops the emulator first, then MariaDB. Not thread-safe.
class Cluster {
 public:
  // Errors from MariaDbInstance::start / EmulatorProcess::start, with context.
  [[nodiscard]] static Result<std::unique_ptr<Cluster>> start(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  void stop();
  // Leaves both processes and the work directory in place when this object is destroyed (daemon mode).
  void release();

  [[nodiscard]] MariaDbInstance& mariadb() { return *mariadb_; }
  [[nodiscard]] EmulatorProcess& emulator() { return *emulator_; }
  [[nodiscard]] const std::filesystem::path& work_dir() const { return work_dir_; }

 private:
  Cluster() = default;
  std::filesystem::path work_dir_;
  bool remove_work_dir_ = false;
  bool released_ = false;
  std::unique_ptr<MariaDbInstance> mariadb_;
  std::unique_ptr<EmulatorProcess> emulator_;
};

}  // namespace sk::emu::harness
