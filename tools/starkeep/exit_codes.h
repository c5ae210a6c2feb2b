// Every exit status of the starkeep binary, in one place (documented in docs/cli.md). A scheduler can tell "nothing
// to do", "work due", "the policy or inventory is wrong", "you called me wrongly" and "a file is missing" apart.
#pragma once

namespace sk::cli {

enum ExitCode : int {
  kExitOk = 0,           // success (plan: also "nothing due" with --detailed-exitcode)
  kExitErrors = 1,       // the policy or inventory has errors (or warnings with --warnings-as-errors)
  kExitWorkDue = 2,      // plan --detailed-exitcode: the plan has jobs or drills due
  kExitDrift = 3,        // repository apply: a repository exists but differs from the policy (or is unhealthy)
  kExitUsage = 64,       // bad command line: unknown flag, missing value, malformed instant (EX_USAGE)
  kExitNoInput = 66,     // an input file cannot be read (EX_NOINPUT)
  kExitUnavailable = 69, // the cluster cannot be reached or refused a statement (EX_UNAVAILABLE)
  kExitInternal = 70,    // a bug: an unexpected failure inside starkeep (EX_SOFTWARE)
  kExitConfig = 78,      // unsafe or incomplete configuration: non-HTTPS endpoint, missing credentials variable,
                         // bad connection settings, ops schema newer than this build (EX_CONFIG)
};

}  // namespace sk::cli
