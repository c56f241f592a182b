// A throwaway PostgreSQL 15 cluster on 127.0.0.1 for tests (Debian's
// postgresql-15, which `scripts/deps --test` installs), as bench/lib/pgtmp.py
// is for the benchmarks: initdb and pg_ctl in a temporary folder, run as the
// postgres user when the tests run as root, stopped and removed at the end.
#ifndef RENKEI_TESTS_POSTGRES_CLUSTER_H_
#define RENKEI_TESTS_POSTGRES_CLUSTER_H_

#include <memory>
#include <string>

#include "process.h"

namespace renkei::testing {

class PostgresCluster {
 public:
  // Starts a cluster; nullptr with `error` set when it cannot (the server is
  // not installed, initdb failed, ...).
  static std::unique_ptr<PostgresCluster> Start(std::string* error);
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // Creates an empty database `name`; returns its postgresql:// URL, or "" on error.
  std::string NewDatabase(const std::string& name);
  int port() const { return port_; }

 private:
  PostgresCluster() = default;
  std::string dir_;
  int port_ = 0;
  bool root_ = false;
};

}  // namespace renkei::testing

#endif  // RENKEI_TESTS_POSTGRES_CLUSTER_H_
