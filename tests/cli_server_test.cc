// End-to-end tests of the node's admin commands (`renkei client`, `grant`,
// `revoke`, `keys init`, `partner`) on a real store file: what they print, what
// they write (read back with SQLite), the exact errors, and the audit entry each
// change appends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "process.h"

namespace renkei {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using testing::RunResult;
using testing::Slurp;

const std::string kRenkei = RENKEI_BINARY;
const std::string kTiny = std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny";

using Rows = std::vector<std::vector<std::string>>;

class CliServerTest : public ::testing::Test {
 public:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("renkei-cli-server-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "store.db").string();
    ASSERT_EQ(Renkei({"init", db_}).exit_code, 0);
    RunResult r = Renkei({"import", db_, kTiny});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunResult Renkei(const std::vector<std::string>& args) {
    return renkei::testing::Run(kRenkei, args);
  }

  // The rows of `sql` on the store file, every column as text ("NULL" for null).
  Rows Query(const std::string& sql) {
    Rows rows;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  // The actions of the audit log, oldest first.
  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    for (const auto& row : Query("SELECT action FROM audit_log ORDER BY seq")) {
      out.push_back(row[0]);
    }
    return out;
  }

  // `args` fails with exit code 1, the exact message, nothing on stdout, and
  // leaves the audit log as it was.
  void ExpectError(const std::vector<std::string>& args, const std::string& message) {
    const size_t entries = AuditActions().size();
    RunResult r = Renkei(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << r.out;
    EXPECT_EQ(r.err, "renkei: error: " + message + "\n");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(AuditActions().size(), entries) << "a failed command wrote to the audit log";
  }

  void ExpectAuditIntact() {
    RunResult v = Renkei({"audit", "verify", db_});
    EXPECT_EQ(v.exit_code, 0) << v.err;
    EXPECT_EQ(v.out, "audit log of " + db_ + " is intact\n");
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(CliServerTest, ClientAddListRevoke) {
  RunResult add = Renkei({"client", "add", db_, "erp", "--organization", "org:cell"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_THAT(add.out, MatchesRegex("client_id     client-[0-9a-f]{16}\n"
                                    "client_secret [0-9a-f]{48}\n"
                                    "\\(the secret is shown only now\\)\n"));
  const std::string id = add.out.substr(14, 23), secret = add.out.substr(52, 48);
  EXPECT_EQ(add.err, "");

  // Only an Argon2id hash of the secret is stored, nowhere the secret itself.
  const Rows stored =
      Query("SELECT id, name, organization, secret_hash, admin, revoked FROM clients");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0][0], id);
  EXPECT_EQ(stored[0][1], "erp");
  EXPECT_EQ(stored[0][2], "org:cell");
  EXPECT_EQ(stored[0][3].rfind("$argon2id$v=19$", 0), 0u) << stored[0][3];
  EXPECT_EQ(stored[0][3].find(secret), std::string::npos);
  EXPECT_EQ(stored[0][4], "0");
  EXPECT_EQ(stored[0][5], "NULL");
  for (const char* suffix : {"", "-wal", "-journal"}) {
    EXPECT_EQ(Slurp(db_ + suffix).find(secret), std::string::npos)
        << "secret in clear in " << suffix;
  }

  RunResult admin =
      Renkei({"client", "add", db_, "auditor", "--organization", "org:mine", "--admin"});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  const std::string admin_id = admin.out.substr(14, 23);
  ASSERT_EQ(admin_id.rfind("client-", 0), 0u) << admin.out;
  EXPECT_NE(admin_id, id);
  EXPECT_EQ(Query("SELECT admin FROM clients WHERE id = '" + admin_id + "'"), Rows{{"1"}});

  RunResult list = Renkei({"client", "list", db_});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr(id + "  erp                  org:cell             active\n"));
  EXPECT_THAT(list.out,
              HasSubstr(admin_id + "  auditor              org:mine             admin active\n"));
  EXPECT_EQ(list.out.find(secret), std::string::npos);

  RunResult revoke = Renkei({"client", "revoke", db_, id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(revoke.out, "revoked " + id + "\n");
  const Rows revoked = Query("SELECT revoked FROM clients WHERE id = '" + id + "'");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_THAT(revoked[0][0], MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  RunResult listed = Renkei({"client", "list", db_});
  EXPECT_THAT(listed.out, HasSubstr(id + "  erp                  org:cell             revoked " +
                                    revoked[0][0] + "\n"));

  ExpectError({"client", "revoke", db_, id}, "client '" + id + "' is revoked");
  ExpectError({"client", "revoke", db_, "client-0000000000000000"},
              "unknown client 'client-0000000000000000'");
  ExpectError({"client", "add", db_, "x", "--organization", "org:none"},
              "unknown organization 'org:none'");
  ExpectError({"client", "add", db_, "", "--organization", "org:cell"}, "a client needs a name");

  const std::vector<std::string> actions = AuditActions();
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(actions[actions.size() - 3], "client add " + id + " erp org:cell");
  EXPECT_EQ(actions[actions.size() - 2], "client add " + admin_id + " auditor org:mine");
  EXPECT_EQ(actions.back(), "client revoke " + id);
  ExpectAuditIntact();
}

TEST_F(CliServerTest, GrantAndRevoke) {
  RunResult g = Renkei({"grant", db_, "org:cell", "--products", "prod:li"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(g.out, "granted org:cell: prod:li\n");
  EXPECT_EQ(Query("SELECT organization, product FROM grants"), (Rows{{"org:cell", "prod:li"}}));
  // Granting again changes nothing but is recorded.
  ASSERT_EQ(Renkei({"grant", db_, "org:cell", "--products", "prod:li,prod:cell"}).exit_code, 0);
  ASSERT_EQ(Renkei({"grant", db_, "org:mine", "--all"}).exit_code, 0);
  EXPECT_EQ(Query("SELECT organization, product FROM grants ORDER BY organization, product"),
            (Rows{{"org:cell", "prod:cell"}, {"org:cell", "prod:li"}, {"org:mine", "*"}}));

  ExpectError({"grant", db_, "org:none", "--products", "prod:li"},
              "unknown organization 'org:none'");
  ExpectError({"grant", db_, "org:cell", "--products", "prod:li,prod:none"},
              "unknown product 'prod:none'");
  ExpectError({"grant", db_, "org:cell"}, "give either --products ID,... or --all");
  ExpectError({"grant", db_, "org:cell", "--all", "--products", "prod:li"},
              "give either --products ID,... or --all");
  ExpectError({"grant", db_, "org:cell", "--products", ","},
              "name the products to grant, or --all");

  RunResult r = Renkei({"revoke", db_, "org:cell", "--products", "prod:li"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "revoked org:cell: prod:li\n");
  EXPECT_EQ(Query("SELECT organization, product FROM grants ORDER BY organization, product"),
            (Rows{{"org:cell", "prod:cell"}, {"org:mine", "*"}}));
  ExpectError({"revoke", db_, "org:cell", "--products", "prod:li"}, "no such grant to 'org:cell'");
  RunResult all = Renkei({"revoke", db_, "org:mine", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "revoked org:mine: all products\n");
  EXPECT_EQ(Query("SELECT organization, product FROM grants"), (Rows{{"org:cell", "prod:cell"}}));
  ExpectError({"revoke", db_, "org:mine", "--all"}, "no such grant to 'org:mine'");

  const std::vector<std::string> actions = AuditActions();
  ASSERT_GE(actions.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(actions.end() - 5, actions.end()),
            (std::vector<std::string>{"grant org:cell prod:li", "grant org:cell prod:li,prod:cell",
                                      "grant org:mine *", "revoke org:cell prod:li",
                                      "revoke org:mine *"}));
  ExpectAuditIntact();
}

TEST_F(CliServerTest, KeysInit) {
  RunResult r = Renkei({"keys", "init", db_, "org:mine"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.out,
              MatchesRegex("org:mine public key \\(Ed25519, base64url\\) [A-Za-z0-9_-]{43}\n"));
  const std::string public_key = r.out.substr(r.out.size() - 44, 43);
  // The seed is stored sealed with the key file beside the store (trust/sealed.h).
  const Rows keys =
      Query("SELECT organization, public_key, substr(seed, 1, 10) FROM organization_keys");
  EXPECT_EQ(keys, (Rows{{"org:mine", public_key, "sealed:v1:"}}));
  EXPECT_TRUE(std::filesystem::exists(db_ + ".secrets.key"));
  // A key is made once; the first one stays.
  ExpectError({"keys", "init", db_, "org:mine"}, "organization 'org:mine' has a key");
  EXPECT_EQ(Query("SELECT public_key FROM organization_keys"), Rows{{public_key}});
  ExpectError({"keys", "init", db_, "org:none"}, "unknown organization 'org:none'");
  // Another organization gets another key.
  RunResult cell = Renkei({"keys", "init", db_, "org:cell"});
  ASSERT_EQ(cell.exit_code, 0) << cell.err;
  EXPECT_EQ(cell.out.find(public_key), std::string::npos);
  EXPECT_EQ(Query("SELECT count(DISTINCT public_key) FROM organization_keys"), Rows{{"2"}});

  const std::vector<std::string> actions = AuditActions();
  ASSERT_GE(actions.size(), 2u);
  EXPECT_EQ(actions[actions.size() - 2], "keys init org:mine " + public_key);
  EXPECT_THAT(actions.back(), MatchesRegex("keys init org:cell [A-Za-z0-9_-]{43}"));
  ExpectAuditIntact();
}

TEST_F(CliServerTest, Partner) {
  RunResult r = Renkei({"partner", db_, "org:mine", "--url", "https://mine.example:8443",
                        "--client-id", "client-abc", "--client-secret", "s3cret"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "partner org:mine at https://mine.example:8443\n");
  // The secret is stored sealed (trust/sealed.h).
  EXPECT_EQ(Query("SELECT organization, url, client_id, substr(client_secret, 1, 10), ca_file "
                  "FROM partners"),
            (Rows{{"org:mine", "https://mine.example:8443", "client-abc", "sealed:v1:", ""}}));
  // Setting it again replaces it.
  RunResult again =
      Renkei({"partner", db_, "org:mine", "--url", "https://10.0.0.2:9443", "--client-id",
              "client-def", "--client-secret", "other", "--ca", "/etc/mine-ca.pem"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Query("SELECT organization, url, client_id, substr(client_secret, 1, 10), ca_file "
                  "FROM partners"),
            (Rows{{"org:mine", "https://10.0.0.2:9443", "client-def",
                   "sealed:v1:", "/etc/mine-ca.pem"}}));

  ExpectError({"partner", db_, "org:mine", "--url", "http://mine.example", "--client-id", "a",
               "--client-secret", "b"},
              "partner url must start with https://, got 'http://mine.example'");
  ExpectError({"partner", db_, "org:none", "--url", "https://x", "--client-id", "a",
               "--client-secret", "b"},
              "unknown organization 'org:none'");

  const std::vector<std::string> actions = AuditActions();
  ASSERT_GE(actions.size(), 2u);
  EXPECT_EQ(actions[actions.size() - 2], "partner org:mine https://mine.example:8443");
  EXPECT_EQ(actions.back(), "partner org:mine https://10.0.0.2:9443");
  ExpectAuditIntact();
}

// `keys seal` seals what an earlier version stored in clear, once.
TEST_F(CliServerTest, KeysSeal) {
  RunResult none = Renkei({"keys", "seal", db_});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "sealed 0 values stored in clear (key file " + db_ + ".secrets.key)\n");
  ASSERT_EQ(Renkei({"partner", db_, "org:mine", "--url", "https://mine.example:8443", "--client-id",
                    "client-abc", "--client-secret", "s3cret"})
                .exit_code,
            0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE partners SET client_secret = 'clear-s3cret'", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  RunResult one = Renkei({"keys", "seal", db_});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, "sealed 1 value stored in clear (key file " + db_ + ".secrets.key)\n");
  EXPECT_EQ(Query("SELECT substr(client_secret, 1, 10) FROM partners"), Rows{{"sealed:v1:"}});
  EXPECT_EQ(AuditActions().back(), "keys seal 1 values");
  EXPECT_THAT(Renkei({"keys", "seal", db_}).out, HasSubstr("sealed 0 values"));
  ExpectError({"keys", "seal", db_ + ".missing"},
              db_ + ".missing: no such store (create one with 'renkei init " + db_ + ".missing')");
  ExpectAuditIntact();
}

// The audit chain covers the admin commands: editing one of their entries is found.
TEST_F(CliServerTest, EditedAdminEntryBreaksTheAuditChain) {
  ASSERT_EQ(Renkei({"grant", db_, "org:cell", "--all"}).exit_code, 0);
  ASSERT_EQ(Renkei({"keys", "init", db_, "org:cell"}).exit_code, 0);
  ExpectAuditIntact();
  const std::string seq =
      Query("SELECT seq FROM audit_log WHERE action = 'grant org:cell *'")[0][0];
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE audit_log SET action = 'grant org:mine *' WHERE seq = (SELECT seq "
                         "FROM audit_log WHERE action = 'grant org:cell *')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  RunResult v = Renkei({"audit", "verify", db_});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("audit entry " + seq));
  EXPECT_THAT(v.err, HasSubstr("hash does not match its content"));
}

// SIGTERM while the node builds its first snapshot: it stops at once, exit 0.
TEST_F(CliServerTest, ASignalWhileStartingEndsTheNodeAtOnce) {
  // The demo store: its first snapshot takes long enough to be interrupted.
  const std::string demo = (dir_ / "demo.db").string();
  ASSERT_EQ(Renkei({"init", demo}).exit_code, 0);
  RunResult imported =
      Renkei({"import", demo, std::string(RENKEI_SOURCE_DIR) + "/data/japan-strategic"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string err = (dir_ / "serve.err").string();
  const std::string cert = demo + ".cert.pem";
  int code = 0;
  // The signal must come after the node takes signals (it makes its certificate just
  // before): a run in which it came too early is tried again, a little later.
  for (int delay_ms = 20; delay_ms <= 320; delay_ms *= 2) {
    fs::remove(cert);
    const pid_t pid = renkei::testing::Start(
        "/bin/sh", {"-c", "exec " + kRenkei + " serve " + demo + " --listen 127.0.0.1:0 2>" + err});
    for (int i = 0; i < 2000 && !fs::exists(cert); ++i) usleep(5000);
    usleep(static_cast<useconds_t>(delay_ms) * 1000);
    kill(pid, SIGTERM);
    code = renkei::testing::Wait(pid);
    if (code != -SIGTERM) break;
  }
  EXPECT_EQ(code, 0);
  EXPECT_EQ(renkei::testing::Slurp(err), "SIGTERM while starting: stopping\n");
}

// Bad arguments are exit code 1 (cli/command_line.h: bad input or usage) with
// CLI11's message and a pointer to --help.
TEST_F(CliServerTest, BadArgumentsPointToHelp) {
  struct Case {
    std::vector<std::string> args;
    std::string error;  // the first line on standard error
  };
  const std::vector<Case> cases = {
      {{"client"}, "A subcommand is required"},
      {{"client", "add", db_, "erp"}, "--organization is required"},
      {{"client", "revoke", db_}, "id is required"},
      {{"client", "nope", db_}, "A subcommand is required"},
      {{"grant", db_}, "organization is required"},
      {{"revoke", db_, "org:cell", "--products"}, "--products: 1 required TEXT missing"},
      {{"keys"}, "A subcommand is required"},
      {{"keys", "init", db_}, "organization is required"},
      {{"partner", db_, "org:mine", "--url", "https://x"}, "--client-id is required"},
      {{"serve"}, "db is required"},
  };
  for (const Case& c : cases) {
    RunResult r = Renkei(c.args);
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 1) << joined;
    EXPECT_EQ(r.err.substr(0, r.err.find('\n')), c.error) << joined << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("\nRun with --help or --help-all for more information.\n"))
        << joined;
  }
  RunResult serve = Renkei({"serve", db_, "--listen", "127.0.0.1:http"});
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_EQ(serve.err, "renkei: error: --listen: expected HOST:PORT, got '127.0.0.1:http'\n");
  RunResult threads = Renkei({"serve", db_, "--threads", "0"});
  EXPECT_EQ(threads.exit_code, 1);
  EXPECT_EQ(threads.err, "renkei: error: --threads: expected 1 to 4096, got 0\n");
  RunResult io = Renkei({"serve", db_, "--io-threads", "-1"});
  EXPECT_EQ(io.exit_code, 1);
  EXPECT_EQ(io.err, "renkei: error: --io-threads: expected 0 to 256, got -1\n");
  RunResult cert = Renkei({"serve", db_, "--cert", "c.pem"});
  EXPECT_EQ(cert.exit_code, 1);
  EXPECT_EQ(cert.err, "renkei: error: --cert and --key go together\n");
  for (const char* command : {"client", "grant", "revoke", "keys", "partner", "serve"}) {
    RunResult help = Renkei({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("Usage")) << command;
  }
  RunResult missing = Renkei({"client", "list", (dir_ / "none.db").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no such store (create one with 'renkei init"));
}

}  // namespace
}  // namespace renkei
