// Shared, mutable state of the emulated cluster: frontends, backends and their disks, version switches, and
// the cluster-level faults. Owned by emulator/engine (SHOW FRONTENDS/BACKENDS/PROC, control statements);
// read by emulator/backup (disk limits, dead BEs). All access goes through the mutex-guarded accessors.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sk::emu {

struct DiskState {
  std::string root_path;  // e.g. "/data1/starrocks/storage"
  int64_t total_bytes = 0;
  int64_t avail_bytes = 0;
  int64_t data_used_bytes = 0;
};

struct BackendState {
  int64_t id = 10001;
  std::string ip = "127.0.0.1";
  bool alive = true;
  std::vector<DiskState> disks;
};

struct FrontendState {
  std::string name;
  std::string ip = "127.0.0.1";
  std::string role = "LEADER";  // LEADER | FOLLOWER | OBSERVER
  bool alive = true;
};

// Settings fixed at start-up (flags of the emulator binary).
struct EmulatorConfig {
  std::string starrocks_version = "3.3.0";  // current_version(); "3.4+" grammar and "4.2" DROP SNAPSHOT switch on it
  uint16_t error_code = 1064;                // 1064/HY000 or 5064/42000 (reference §0)
  std::string error_sql_state = "HY000";
  std::string time_zone = "Asia/Shanghai";  // SHOW VARIABLES LIKE 'time_zone' (StarRocks default)
  bool faults_enabled = false;              // control statements only with --enable-faults
  double time_scale = 1.0;                  // > 1 makes jobs advance faster than real time
  double job_fixed_seconds = 2.0;           // per-state fixed cost of a job, before time_scale
  double be_bytes_per_second = 100e6;       // per-BE transfer rate, before time_scale
  std::string repository_root;              // s3a://bucket/prefix → <repository_root>/bucket/prefix
  // The repository backend (docs/emulator.md): "local" (the directory tree under repository_root) or "s3" (the
  // location's bucket through the S3 API, at s3_endpoint unless the repository's aws.s3.endpoint says otherwise).
  std::string repository_backend = "local";
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  std::string s3_access_key;  // secret: never logged
  std::string s3_secret_key;  // secret: never logged
};

class ClusterState {
 public:
  explicit ClusterState(EmulatorConfig config) : config_(std::move(config)) {}

  const EmulatorConfig& config() const { return config_; }

  // The emulated cluster's wall clock: the host's, moved forward by `ADMIN EMULATOR ADVANCE CLOCK` (backup
  // service: job and repository times, backup timestamps, snapshot TTL expiry). Job durations and timeouts run on
  // the steady clock and are not affected.
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(clock_offset_ms_.load());
  }
  void advance_clock(std::chrono::milliseconds by) { clock_offset_ms_ += by.count(); }

  std::vector<FrontendState> frontends() const {
    std::lock_guard lock(mu_);
    return frontends_;
  }
  std::vector<BackendState> backends() const {
    std::lock_guard lock(mu_);
    return backends_;
  }
  void set_frontends(std::vector<FrontendState> v) {
    std::lock_guard lock(mu_);
    frontends_ = std::move(v);
  }
  void set_backends(std::vector<BackendState> v) {
    std::lock_guard lock(mu_);
    backends_ = std::move(v);
  }
  // Applies `fn(std::vector<BackendState>&)` under the lock.
  template <typename Fn>
  void update_backends(Fn&& fn) {
    std::lock_guard lock(mu_);
    fn(backends_);
  }
  template <typename Fn>
  void update_frontends(Fn&& fn) {
    std::lock_guard lock(mu_);
    fn(frontends_);
  }

 private:
  const EmulatorConfig config_;
  std::atomic<int64_t> clock_offset_ms_{0};
  mutable std::mutex mu_;
  std::vector<FrontendState> frontends_;
  std::vector<BackendState> backends_;
};

}  // namespace sk::emu
