#include "postgres_cluster.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "process.h"

namespace renkei::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

}  // namespace

std::unique_ptr<PostgresCluster> PostgresCluster::Start(std::string* error) {
  if (!std::filesystem::exists(std::string(kBin) + "/initdb")) {
    *error = std::string(kBin) + "/initdb is missing: install postgresql-15 (scripts/deps --test)";
    return nullptr;
  }
  std::unique_ptr<PostgresCluster> c(new PostgresCluster());
  char tmpl[] = "/tmp/renkei-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    *error = "cannot make a temporary folder";
    return nullptr;
  }
  c->dir_ = tmpl;
  c->root_ = ::geteuid() == 0;
  c->port_ = FreePort();
  auto as_postgres = [&](std::vector<std::string> args) {
    if (!c->root_) return Run(args[0], {args.begin() + 1, args.end()});
    args.insert(args.begin(), {"-u", "postgres", "--"});
    return Run("/usr/sbin/runuser", args);
  };
  if (c->root_) Run("/usr/bin/chown", {"postgres:postgres", c->dir_});
  const std::string data = c->dir_ + "/data";
  RunResult r = as_postgres({std::string(kBin) + "/initdb", "-D", data, "-U", "postgres",
                             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"});
  if (r.exit_code != 0) {
    *error = "initdb failed: " + r.err;
    return nullptr;
  }
  r = as_postgres({std::string(kBin) + "/pg_ctl", "-D", data, "-l", c->dir_ + "/pg.log", "-w", "-t",
                   "60", "-o",
                   "-p " + std::to_string(c->port_) + " -k " + c->dir_ +
                       " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
                   "start"});
  if (r.exit_code != 0) {
    *error = "pg_ctl start failed: " + r.err + Slurp(c->dir_ + "/pg.log");
    return nullptr;
  }
  return c;
}

std::string PostgresCluster::NewDatabase(const std::string& name) {
  const RunResult r =
      Run("/usr/bin/psql", {"-X", "-q", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
                            "postgres", "-d", "postgres", "-c", "CREATE DATABASE " + name});
  if (r.exit_code != 0) return "";
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

PostgresCluster::~PostgresCluster() {
  std::vector<std::string> stop = {
      std::string(kBin) + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "stop"};
  if (root_) {
    stop.insert(stop.begin(), {"-u", "postgres", "--"});
    Run("/usr/sbin/runuser", stop);
  } else {
    Run(stop[0], {stop.begin() + 1, stop.end()});
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace renkei::testing
