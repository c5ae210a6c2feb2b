// A private s3rver (the npm fake S3 server, tests/s3rver/, installed by scripts/lib.sh) for tests and the demo:
// node runs it on 127.0.0.1 with a port the kernel picks (-p 0; the port is read from its "listening" line, so
// parallel tests never collide), a scratch data directory, and the requested buckets created at start-up
// (--configure-bucket). Removed again on stop(). node runs with --openssl-legacy-provider: s3rver encrypts its
// continuation tokens with DES, which OpenSSL 3 keeps in the legacy provider (without it, every truncated listing
// fails with InternalError).
//
// What s3rver (3.7.1) is: path- and virtual-host-style addressing, ListObjects v1/v2 with prefix, delimiter and
// continuation tokens, Get/Put/Delete/Copy object, DeleteObjects, multipart uploads. It checks that the access key
// exists (S3RVER) but does not verify SigV4 signatures or Content-MD5, ignores Quiet in DeleteObjects and its
// 1000-key limit, lists keys in file-name order (wrong for keys where one is a prefix of another followed by a
// character below '.'), and implements no versioning (GET ?versioning is answered with a bucket listing), Object
// Lock or lifecycle (NotImplemented) and no bucket policy (MethodNotAllowed).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/harness/process.h"

namespace sk::emu::harness {

// s3rver's one account.
inline constexpr std::string_view kS3rverAccessKey = "S3RVER";
inline constexpr std::string_view kS3rverSecretKey = "S3RVER";

struct S3rverOptions {
  // Where the instance directory `starkeep-s3rver-XXXXXX` is created; empty = $TMPDIR, else /tmp.
  std::filesystem::path parent_dir{};
  bool keep_dir = false;  // leave the data and the log behind on stop()
  std::string node = "node";
  // s3rver's bin/s3rver.js; empty = $STARKEEP_S3RVER_JS, else tests/s3rver/node_modules/s3rver/bin/s3rver.js of
  // this source tree.
  std::filesystem::path s3rver_js{};
  std::vector<std::string> buckets{"starkeep"};
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
  bool die_with_parent = true;  // see SpawnOptions::die_with_parent
};

// One running s3rver. Owns the process and the instance directory. Not thread-safe.
class S3rverInstance {
 public:
  // Starts s3rver and returns once it listens. Errors: "harness.not_found" (node, or s3rver not installed: the
  // message says how to install it), "harness.start" (exited or not listening in time; message has the log tail),
  // "harness.io".
  [[nodiscard]] static Result<std::unique_ptr<S3rverInstance>> start(S3rverOptions options = {});
  ~S3rverInstance();
  S3rverInstance(const S3rverInstance&) = delete;
  S3rverInstance& operator=(const S3rverInstance&) = delete;

  // SIGTERM, wait up to 10 s, SIGKILL; then removes the instance directory unless keep_dir. Idempotent.
  void stop();
  // Leaves s3rver running and the directory in place when this object is destroyed (daemon mode).
  void release();

  // Writes an object straight into s3rver's store, for fixtures of thousands of objects (PutObject through s3rver
  // costs milliseconds each). Uses s3rver 3.7.1's on-disk layout, <data>/<bucket>/<key's directories>/<last key
  // segment>._S3rver_object; s3rver computes the ETag on first read, as for its own objects. Errors
  // ("harness.io"): a bucket that does not exist, an empty key, a key with an empty, "." or ".." segment.
  [[nodiscard]] Status seed_object(std::string_view bucket, std::string_view key, std::string_view body);

  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>".
  [[nodiscard]] std::string endpoint() const;
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::filesystem::path data_dir() const { return dir_ / "data"; }
  [[nodiscard]] std::filesystem::path log() const { return dir_ / "s3rver.log"; }
  [[nodiscard]] bool running() { return process_.running(); }

 private:
  S3rverInstance() = default;
  Status launch(const std::filesystem::path& script);

  S3rverOptions options_;
  std::filesystem::path dir_;
  std::string host_ = "127.0.0.1";
  uint16_t port_ = 0;
  ChildProcess process_;
  bool released_ = false;
  bool stopped_ = false;
};

// The s3rver script the options name (see S3rverOptions::s3rver_js). Errors: "harness.not_found" with the
// install command.
[[nodiscard]] Result<std::filesystem::path> find_s3rver(const S3rverOptions& options);

}  // namespace sk::emu::harness
