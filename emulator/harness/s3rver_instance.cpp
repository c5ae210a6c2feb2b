#include "emulator/harness/s3rver_instance.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

namespace sk::emu::harness {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

#ifndef STARKEEP_S3RVER_JS
#define STARKEEP_S3RVER_JS ""
#endif

// The port of "S3rver listening on 127.0.0.1:<port>", 0 while the line is not there.
uint16_t listening_port(const std::string& log, const std::string& host) {
  const std::string marker = "S3rver listening on " + host + ":";
  const std::size_t at = log.find(marker);
  if (at == std::string::npos) return 0;
  const char* begin = log.data() + at + marker.size();
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(begin, log.data() + log.size(), value);
  if (ec != std::errc() || ptr == begin || value == 0 || value > 65535) return 0;
  return static_cast<uint16_t>(value);
}

}  // namespace

Result<fs::path> find_s3rver(const S3rverOptions& options) {
  fs::path script = options.s3rver_js;
  if (script.empty()) {
    const char* env = std::getenv("STARKEEP_S3RVER_JS");
    script = env && *env ? fs::path(env) : fs::path(STARKEEP_S3RVER_JS);
  }
  std::error_code ec;
  if (script.empty() || !fs::is_regular_file(script, ec)) {
    return fail("harness.not_found",
                "s3rver is not installed ({}); install it with `npm ci --prefix tests/s3rver` (scripts/lib.sh's "
                "ensure_s3rver does this), or point STARKEEP_S3RVER_JS at bin/s3rver.js",
                script.empty() ? "no path configured" : script.string() + " is missing");
  }
  return script;
}

Result<std::unique_ptr<S3rverInstance>> S3rverInstance::start(S3rverOptions options) {
  std::unique_ptr<S3rverInstance> s3(new S3rverInstance());
  s3->options_ = std::move(options);
  auto script = find_s3rver(s3->options_);
  if (!script) return std::unexpected(script.error());
  auto dir = make_temp_dir(s3->options_.parent_dir, "starkeep-s3rver-");
  if (!dir) return std::unexpected(dir.error());
  s3->dir_ = *dir;
  std::error_code ec;
  fs::create_directories(s3->data_dir(), ec);
  if (ec) return fail("harness.io", "cannot create {}: {}", s3->data_dir().string(), ec.message());
  if (auto s = s3->launch(*script); !s) {
    return std::unexpected(std::move(s.error()).with_context("s3rver dir " + s3->dir_.string()));
  }
  return s3;
}

Status S3rverInstance::launch(const fs::path& script) {
  // s3rver encrypts its ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (behind node ≥ 17) only has in
  // its legacy provider: without the flag every truncated listing fails with InternalError.
  std::vector<std::string> argv = {options_.node, "--openssl-legacy-provider", script.string(), "--directory",
                                   data_dir().string(), "--address", host_, "--port", "0", "--silent"};
  for (const auto& bucket : options_.buckets) {
    argv.push_back("--configure-bucket");
    argv.push_back(bucket);
  }
  auto child = ChildProcess::spawn({argv, log(), options_.die_with_parent});
  if (!child) return std::unexpected(child.error());
  process_ = std::move(*child);
  const auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    if (!process_.running()) {
      return fail("harness.start", "s3rver exited during start-up (status {}); log:\n{}", process_.wait_status(),
                  excerpt_of(log()));
    }
    port_ = listening_port(read_text(log()), host_);
    if (port_ != 0) return ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  process_.stop(std::chrono::seconds(5));
  return fail("harness.start", "s3rver not listening after {} ms; log:\n{}", options_.start_timeout.count(),
              excerpt_of(log()));
}

std::string S3rverInstance::endpoint() const { return "http://" + host_ + ":" + std::to_string(port_); }

void S3rverInstance::stop() {
  if (stopped_) return;
  stopped_ = true;
  process_.stop(std::chrono::seconds(10));
  if (!options_.keep_dir) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Status S3rverInstance::seed_object(std::string_view bucket, std::string_view key, std::string_view body) {
  fs::path path = data_dir() / std::string(bucket);
  std::error_code ec;
  if (bucket.empty() || !fs::is_directory(path, ec)) return fail("harness.io", "no s3rver bucket '{}'", bucket);
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = key.find('/', start);
    const std::string_view segment = key.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return fail("harness.io", "cannot seed key '{}'", key);
    if (slash == std::string_view::npos) {
      path /= std::string(segment) + "._S3rver_object";
      break;
    }
    path /= std::string(segment);
    start = slash + 1;
  }
  fs::create_directories(path.parent_path(), ec);
  if (ec) return fail("harness.io", "cannot create {}: {}", path.parent_path().string(), ec.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.close();
  if (!out) return fail("harness.io", "cannot write {}", path.string());
  return ok();
}

void S3rverInstance::release() {
  released_ = true;
  process_.release();
}

S3rverInstance::~S3rverInstance() {
  if (!released_) stop();
}

}  // namespace sk::emu::harness
