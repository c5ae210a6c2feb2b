// starkeep catalog publish: publishes a catalog snapshot of this cluster's ops tables now (`starkeep run`
// does it after each run that finished a backup). starkeep catalog adopt: after a cold start, copies the
// repository's catalog into this cluster's ops tables. Both through the restore service
// (runtime/restore/restore_service.h); exit codes from common/error_codes.def (docs/cli.md "restore").
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.h"
#include "runtime/ports/clock.h"
#include "runtime/restore/restore_service.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/restore_flags.h"

namespace sk::cli {
namespace {

struct PublishOptions {
  std::string repository;
  std::string format = "text";
  std::string grammar = "auto";
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int run_publish(const PublishOptions& o) {
  auto repo = RepositoryName::parse(o.repository);
  if (!repo) return report(repo.error(), o.format);
  auto session = open_restore_session(o.connection, o.ops);
  if (!session) return report(session.error(), o.format);
  const restore::Env env = (*session)->env();
  auto published = restore::publish_catalog(env, *repo, grammar_choice(o.grammar));
  if (!published) return report(published.error(), o.format);
  const auto& c = published->catalog;
  if (o.format == "json") {
    std::cout << json_text(nlohmann::json{{"repository", c.repository.str()},
                                          {"label", c.label.str()},
                                          {"backup_timestamp", c.backup_timestamp.str()}},
                           2)
              << "\n";
  } else {
    std::cout << fmt::format("Published catalog snapshot '{}' to repository {} (backup_timestamp {})\n",
                             c.label.str(), c.repository.str(), c.backup_timestamp);
  }
  return kExitOk;
}

struct AdoptOptions {
  std::string repository;
  CatalogFlags catalog;
  std::string grammar = "auto";
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int run_adopt(const AdoptOptions& o) {
  auto repo = RepositoryName::parse(o.repository);
  if (!repo) return report(repo.error(), "text");
  auto choice = catalog_choice(o.catalog);
  if (!choice) return report(choice.error(), "text");
  auto session = open_restore_session(o.connection, o.ops);
  if (!session) return report(session.error(), "text");
  const restore::Env env = (*session)->env();
  auto adopted = restore::adopt_catalog(env, *repo, *choice, grammar_choice(o.grammar));
  if (!adopted) return report(adopted.error(), "text");
  std::cout << fmt::format(
      "Adopted catalog snapshot '{}' of repository {} into {}: its backups are restore points "
      "of this cluster now, and its runs' catalog snapshots carry them\n",
      adopted->catalog.label.str(), repo->str(), (*session)->config.database.str());
  return kExitOk;
}

}  // namespace

void register_catalog(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "catalog",
      "Catalog snapshots: the ops tables restore needs, kept in the repository next to the "
      "data so that an empty cluster can restore from the repository alone.");
  cmd->require_subcommand(1);
  auto o = std::make_shared<PublishOptions>();
  auto* publish = cmd->add_subcommand(
      "publish",
      "BACKUP the catalog (schema_version, backup_history, backup_manifest, snapshot_lineage, "
      "table_partition_set) to a repository now (`starkeep run` does this after every run that finished a "
      "backup).");
  publish->add_option("--repository", o->repository, "The repository")->required();
  publish->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  add_grammar_flag(*publish, o->grammar);
  add_connection_flags(*publish, o->connection);
  add_ops_flags(*publish, o->ops, false);
  publish->callback([o, &exit_code] { exit_code = run_publish(*o); });

  auto a = std::make_shared<AdoptOptions>();
  auto* adopt = cmd->add_subcommand(
      "adopt",
      "After a cold start: copy the repository's newest catalog (its FINISHED backups, manifests and "
      "lineage) "
      "into this cluster's ops tables, so that this cluster's runs keep the earlier restore points.");
  adopt->add_option("--repository", a->repository, "The repository")->required();
  add_catalog_flags(*adopt, a->catalog);
  add_grammar_flag(*adopt, a->grammar);
  add_connection_flags(*adopt, a->connection);
  add_ops_flags(*adopt, a->ops, true);
  adopt->callback([a, &exit_code] { exit_code = run_adopt(*a); });
}

}  // namespace sk::cli
