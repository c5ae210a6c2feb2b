// The policy's `repository.finding in [...]` alerts for what `starkeep repository check` found: one alert per
// finding whose kind the condition names (labels: repository, database, snapshot label; the finding's detail is
// the description), delivered through the policy's notifiers (runtime/alerts). Delivery failures never change the
// check's outcome: they come back as lines, like everything else delivered.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/model/policy.h"
#include "runtime/alerts/alert_port.h"
#include "runtime/expire/repository_check.h"
#include "runtime/ports/clock.h"

namespace sk::expire {

struct FindingAlertEnv {
  ports::Clock& clock;
  ports::Sleeper& sleeper;          // HTTP retries wait through it
  std::ostream* progress = nullptr;  // `log = true` notifiers write here
  std::string invocation;           // the run id the alerts carry
};

// One line per delivery ("alert <name> → <notifier> (<target>): delivered" or the error), or one line saying why
// nothing was sent. Empty when the policy has no repository.finding alert.
[[nodiscard]] std::vector<std::string> alert_findings(const model::Policy& policy, const std::vector<Finding>& findings,
                                                      const FindingAlertEnv& env);

// The AlertPort `starkeep expire` raises through (expire_service.h, Env::alert): the policy's alerts and notifiers;
// a failed delivery is one warning line on `env.progress`, never a change of the expire's outcome.
[[nodiscard]] std::unique_ptr<alerts::AlertPort> make_alert_port(const model::Policy& policy,
                                                                 const FindingAlertEnv& env);

}  // namespace sk::expire
