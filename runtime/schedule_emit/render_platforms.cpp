// The two platform schedulers: Kubernetes CronJobs (batch/v1) and an Airflow DAG file.
#include <filesystem>

#include <fmt/format.h>

#include "runtime/schedule_emit/quoting.h"
#include "runtime/schedule_emit/render.h"

namespace sk::schedule_emit::detail {
namespace {

// Seconds past its scheduled time the CronJob controller may still start a job: the runner's step (the next start
// takes over after it; without a deadline, over 100 missed starts stop the CronJob), an hour for the daily jobs.
int starting_deadline_seconds(const RenderInput& in, const JobSpec& job) {
  return job.kind == JobKind::kRun ? in.cadence.every_minutes * 60 : 3600;
}

std::string cronjob(const RenderInput& in, const JobSpec& job) {
  const std::filesystem::path policy(in.options.policy_path);
  std::string text = header(in);
  text += fmt::format(
      "# starkeep {}: {}.\n# {}: the container's sh maps them to 0 (a Job has no list of successful exit codes);\n"
      "# any other fails the Job, and backoffLimit 0 leaves the retry to the next start.\n"
      "# Needs the ConfigMap starkeep-policy (key {}) and the Secret starkeep-connection (STARKEEP_HOST, "
      "STARKEEP_USER, STARKEEP_PASSWORD, ...).\n",
      command_words(job), job.description, success_sentence(job), policy.filename().string());
  text += fmt::format(
      "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {}\n  labels:\n    app.kubernetes.io/name: starkeep\n"
      "    app.kubernetes.io/component: {}\n    app.kubernetes.io/managed-by: starkeep-schedule\n"
      "spec:\n  schedule: {}\n  timeZone: {}\n  concurrencyPolicy: Forbid\n  startingDeadlineSeconds: {}\n"
      "  successfulJobsHistoryLimit: 3\n  failedJobsHistoryLimit: 5\n",
      json_quote("starkeep-" + job.name), json_quote(job.name), json_quote(job.cron), json_quote(job.zone),
      starting_deadline_seconds(in, job));
  text += fmt::format(
      "  jobTemplate:\n    spec:\n      backoffLimit: 0\n      template:\n        spec:\n"
      "          restartPolicy: Never\n          terminationGracePeriodSeconds: 30\n          containers:\n"
      "            - name: starkeep\n              image: {}\n              command: [\"/bin/sh\", \"-c\", {}]\n"
      "              envFrom:\n                - secretRef:\n                    name: starkeep-connection\n"
      "              volumeMounts:\n                - name: policy\n                  mountPath: {}\n"
      "                  readOnly: true\n",
      json_quote(in.options.image), json_quote(mapped_sh(job)), json_quote(policy.parent_path().string()));
  text += fmt::format(
      "          volumes:\n            - name: policy\n              configMap:\n                name: starkeep-policy\n"
      "                items:\n                  - key: {0}\n                    path: {0}\n",
      json_quote(policy.filename().string()));
  return text;
}

std::string python_dag(const JobSpec& job, const std::string& command) {
  std::string id = "starkeep_" + job.name;
  for (char& c : id) c = c == '-' ? '_' : c;
  return fmt::format("\n# starkeep {}: {} (mapped to 0 in the command).\n"
                     "{} = _starkeep_dag(\n    {},\n    {},\n    {},\n    {},\n    {},\n)\n",
                     command_words(job), success_sentence(job), id, json_quote(id), json_quote(job.cron), json_quote(job.zone),
                     json_quote("starkeep " + command_words(job) + ": " + job.description), json_quote(command));
}

}  // namespace

std::vector<Artefact> render_kubernetes(const RenderInput& in) {
  std::vector<Artefact> files;
  for (const JobSpec& job : in.jobs) files.push_back(Artefact{"starkeep-" + job.name + ".yaml", cronjob(in, job)});
  return files;
}

Result<std::vector<Artefact>> render_airflow(const RenderInput& in) {
  const CivilSecond day = in.policy.time_zone.to_local(in.options.from);
  std::string text = header(in);
  text += fmt::format(
      "# Airflow 2.4 or later (the `schedule` argument). One DAG per command, one run at a time, no backfill: the\n"
      "# runner catches up missed slots itself. The workers' environment carries the connection settings\n"
      "# (STARKEEP_HOST, STARKEEP_USER, STARKEEP_PASSWORD_FILE, ...).\nimport pendulum\nfrom airflow import DAG\n"
      "from airflow.operators.bash import BashOperator\n\n\n"
      "def _starkeep_dag(dag_id, schedule, zone, description, bash_command):\n    with DAG(\n"
      "        dag_id=dag_id,\n        description=description,\n        schedule=schedule,\n"
      "        start_date=pendulum.datetime({}, {}, {}, tz=zone),\n        catchup=False,\n"
      "        max_active_runs=1,\n        tags=[\"starkeep\"],\n        default_args={{\"retries\": 0}},\n"
      "    ) as dag:\n        BashOperator(task_id=\"starkeep\", bash_command=bash_command)\n    return dag\n\n",
      day.year(), day.month(), day.day());
  for (const JobSpec& job : in.jobs) {
    const std::string command = jinja_literal(mapped_sh(job));
    if (command.empty()) {
      return fail(errc::kScheduleUsage, "a path holds both a Jinja delimiter and 'endraw': Airflow's templating of "
                  "bash_command cannot carry it; choose another path");
    }
    text += python_dag(job, command);
  }
  return std::vector<Artefact>{Artefact{"starkeep_dags.py", text}};
}

}  // namespace sk::schedule_emit::detail
