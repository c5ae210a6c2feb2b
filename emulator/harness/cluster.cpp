#include "emulator/harness/cluster.h"

namespace sk::emu::harness {

Result<std::unique_ptr<Cluster>> Cluster::start(ClusterOptions options) {
  // Fail before starting MariaDB when the emulator cannot run at all.
  auto binary = find_program(options.emulator_binary.string());
  if (!binary) return std::unexpected(std::move(binary.error()).with_context("the starkeep-emulator binary"));
  std::unique_ptr<Cluster> cluster(new Cluster());
  if (options.work_dir.empty()) {
    auto dir = make_temp_dir({}, "starkeep-cluster-");
    if (!dir) return std::unexpected(dir.error());
    cluster->work_dir_ = *dir;
    cluster->remove_work_dir_ = !options.keep;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(options.work_dir, ec);
    if (ec) return fail("harness.io", "cannot create {}: {}", options.work_dir.string(), ec.message());
    cluster->work_dir_ = std::filesystem::absolute(options.work_dir);
  }

  MariaDbOptions db_options = options.mariadb;
  db_options.parent_dir = cluster->work_dir_;
  db_options.keep_dir = options.keep;
  db_options.die_with_parent = options.die_with_parent;
  auto db = MariaDbInstance::start(db_options);
  if (!db) return std::unexpected(std::move(db.error()).with_context("while starting the cluster's MariaDB"));
  cluster->mariadb_ = std::move(*db);

  EmulatorOptions emu_options;
  emu_options.binary = options.emulator_binary;
  emu_options.work_dir = cluster->work_dir_;
  emu_options.repository_root = options.repository_root;
  emu_options.mariadb_host = cluster->mariadb_->host();
  emu_options.mariadb_port = cluster->mariadb_->port();
  emu_options.mariadb_user = cluster->mariadb_->user();
  emu_options.mariadb_password = cluster->mariadb_->password();
  emu_options.extra_args = options.emulator_args;
  emu_options.die_with_parent = options.die_with_parent;
  auto emu = EmulatorProcess::start(emu_options);
  if (!emu) return std::unexpected(std::move(emu.error()).with_context("while starting the cluster's emulator"));
  cluster->emulator_ = std::move(*emu);
  return cluster;
}

void Cluster::stop() {
  if (emulator_) emulator_->stop();
  if (mariadb_) mariadb_->stop();
  if (remove_work_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
    remove_work_dir_ = false;
  }
}

void Cluster::release() {
  released_ = true;
  if (emulator_) emulator_->release();
  if (mariadb_) mariadb_->release();
}

Cluster::~Cluster() {
  if (!released_) stop();
}

}  // namespace sk::emu::harness
