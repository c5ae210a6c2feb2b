#include "tests/support/starkeep.h"

#include <cstdlib>
#include <sstream>

namespace sk::test {

std::string starkeep_binary() {
  if (const char* env = std::getenv("STARKEEP_BIN"); env != nullptr && *env != '\0') return env;
#ifdef STARKEEP_BIN
  return STARKEEP_BIN;
#else
  return "starkeep";
#endif
}

Starkeep::Starkeep(Processes& processes, std::uint16_t port, std::vector<std::string> env)
    : processes_(processes),
      env_{"STARKEEP_HOST=127.0.0.1", "STARKEEP_PORT=" + std::to_string(port), "STARKEEP_USER=root"} {
  env_.insert(env_.end(), env.begin(), env.end());
}

namespace {

std::vector<std::string> command(const std::vector<std::string>& args) {
  std::vector<std::string> argv{starkeep_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

Proc Starkeep::spawn(const std::vector<std::string>& args, SpawnOptions options) {
  std::vector<std::string> env = env_;
  env.insert(env.end(), options.env.begin(), options.env.end());
  options.env = std::move(env);
  return processes_.spawn(command(args), options);
}

Finished Starkeep::run(const std::vector<std::string>& args, SpawnOptions options,
                       std::chrono::milliseconds timeout) {
  return processes_.wait(spawn(args, std::move(options)), timeout);
}

Finished Starkeep::run_merged(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  return run(args, SpawnOptions{.merge_stderr = true}, timeout);
}

std::vector<std::string> split_args(const std::string& command_line) {
  std::istringstream in(command_line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace sk::test
