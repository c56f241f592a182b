#include "cli/server_commands.h"

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/node.h"
#include "server/tls.h"
#include "store/node_records.h"
#include "store/store.h"

namespace renkei::cli {
namespace {

struct Options {
  std::string db;
  std::string listen = "127.0.0.1:8443";
  std::string public_url;
  std::string cert, key;
  std::string secrets_key;
  std::string web;
  std::string name, organization, id, products, url, client_id, client_secret, ca_file;
  bool all = false;
  bool admin = false;
  int threads = server::NodeOptions().threads;
  int io_threads = server::NodeOptions().io_threads;
};

std::string Actor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "local");
}

// The store o.db, with the secrets key o.secrets_key when given.
StatusOr<std::unique_ptr<store::Store>> Open(const Options& o) {
  RENKEI_ASSIGN_OR_RETURN(auto store, store::Store::Open(o.db));
  if (!o.secrets_key.empty()) store->set_secrets_key(o.secrets_key);
  return store;
}

StatusOr<std::unique_ptr<store::Store>> OpenWithModel(const Options& o, model::Model& model) {
  RENKEI_ASSIGN_OR_RETURN(auto store, Open(o));
  RENKEI_ASSIGN_OR_RETURN(model, store->LoadModel());
  return store;
}

std::vector<std::string> ProductList(const Options& o) {
  if (o.all) return {"*"};
  std::vector<std::string> out;
  std::stringstream in(o.products);
  for (std::string p; std::getline(in, p, ',');) {
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

// <directory of the executable>/../share/renkei/web when it exists (an installed
// node), else empty.
std::string DefaultWebDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const std::filesystem::path web = exe.parent_path() / ".." / "share" / "renkei" / "web";
  if (!std::filesystem::is_directory(web, ec)) return {};
  return std::filesystem::canonical(web, ec).string();
}

int RunServe(const Options& o) {
  const size_t colon = o.listen.rfind(':');
  server::NodeOptions options;
  options.host = o.listen.substr(0, colon);
  options.public_url = o.public_url;
  try {
    options.port = colon == std::string::npos ? -1 : std::stoi(o.listen.substr(colon + 1));
  } catch (const std::exception&) {
    options.port = -1;
  }
  if (options.port < 0 || options.port > 65535) {
    return ReportError(
        InvalidArgumentError("--listen: expected HOST:PORT, got '" + o.listen + "'"));
  }
  if (o.threads < 1 || o.threads > 4096) {
    return ReportError(
        InvalidArgumentError("--threads: expected 1 to 4096, got " + std::to_string(o.threads)));
  }
  options.threads = o.threads;
  if (o.io_threads < 0 || o.io_threads > 256) {
    return ReportError(InvalidArgumentError("--io-threads: expected 0 to 256, got " +
                                            std::to_string(o.io_threads)));
  }
  options.io_threads = o.io_threads;
  if (!o.web.empty()) {
    if (!std::filesystem::is_directory(o.web)) {
      return ReportError(InvalidArgumentError("--web: '" + o.web + "' is not a directory"));
    }
    options.web_dir = o.web;
  } else {
    options.web_dir = DefaultWebDir();
  }
  if (o.cert.empty() != o.key.empty()) {
    return ReportError(InvalidArgumentError("--cert and --key go together"));
  }
  options.cert_file = o.cert;
  options.key_file = o.key;
  if (o.cert.empty() && store::IsDatabaseUrl(o.db)) {
    return ReportError(InvalidArgumentError(
        "--cert and --key: required for a store at a URL (every process serving it presents "
        "the same certificate)"));
  }
  if (o.cert.empty()) {
    // A self-signed certificate kept beside the database.
    options.cert_file = o.db + ".cert.pem";
    options.key_file = o.db + ".key.pem";
    if (!std::filesystem::exists(options.cert_file) || !std::filesystem::exists(options.key_file)) {
      Status s = server::MakeSelfSignedCertificate(options.cert_file, options.key_file);
      if (!s.ok()) return ReportError(s);
      std::printf("made a self-signed certificate %s\n", options.cert_file.c_str());
    }
  }
  auto store = Open(o);
  if (!store.ok()) return ReportError(store.status());
  // SIGINT and SIGTERM are taken by this thread only, so the server threads never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // SIGUSR1 tells the thread below that the node has started.
  sigset_t starting = signals;
  sigaddset(&starting, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &starting, nullptr);
  // A signal while the node starts (building the first snapshot of a large store takes
  // a while) ends the process at once: nothing has been written, and the store is only
  // read until the node serves.
  std::atomic<bool> started{false};
  std::atomic<int> received{0};
  std::thread early([&starting, &started, &received] {
    int signal = 0;
    sigwait(&starting, &signal);
    if (signal == SIGUSR1) return;
    if (!started) {
      std::fprintf(stderr, "%s while starting: stopping\n",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      std::_Exit(kExitOk);
    }
    received = signal;
  });
  auto node = server::Node::Start(std::move(*store), options);
  started = true;
  pthread_kill(early.native_handle(), SIGUSR1);
  early.join();
  if (!node.ok()) return ReportError(node.status());
  std::printf("serving %s on %s\n", store::Printable(o.db).c_str(), (*node)->url().c_str());
  if (options.web_dir.empty()) {
    std::printf("no dashboard installed (--web DIR)\n");
  } else {
    std::printf("dashboard from %s\n", options.web_dir.c_str());
  }
  std::fflush(stdout);
  int signal = received;
  if (signal == 0) sigwait(&signals, &signal);
  std::fprintf(stderr, "%s: stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*node)->Stop();
  return kExitOk;
}

int RunClientAdd(const Options& o) {
  model::Model model;
  auto store = OpenWithModel(o, model);
  if (!store.ok()) return ReportError(store.status());
  auto client = store::AddClient(**store, model, o.name, o.organization, o.admin, Actor());
  if (!client.ok()) return ReportError(client.status());
  std::printf("client_id     %s\nclient_secret %s\n(the secret is shown only now)\n",
              client->id.c_str(), client->secret.c_str());
  return kExitOk;
}

int RunClientList(const Options& o) {
  auto store = Open(o);
  if (!store.ok()) return ReportError(store.status());
  auto clients = store::ListClients(**store);
  if (!clients.ok()) return ReportError(clients.status());
  for (const store::Client& c : *clients) {
    std::printf("%s  %-20s %-20s %s%s\n", c.id.c_str(), c.name.c_str(), c.organization.c_str(),
                c.admin ? "admin " : "",
                c.revoked.empty() ? "active" : ("revoked " + c.revoked).c_str());
  }
  return kExitOk;
}

int RunClientRevoke(const Options& o) {
  auto store = Open(o);
  if (!store.ok()) return ReportError(store.status());
  Status s = store::RevokeClient(**store, o.id, Actor());
  if (!s.ok()) return ReportError(s);
  std::printf("revoked %s\n", o.id.c_str());
  return kExitOk;
}

int RunGrant(const Options& o, bool add) {
  if (o.all == !o.products.empty()) {
    return ReportError(InvalidArgumentError("give either --products ID,... or --all"));
  }
  model::Model model;
  auto store = OpenWithModel(o, model);
  if (!store.ok()) return ReportError(store.status());
  Status s = add ? store::AddGrant(**store, model, o.organization, ProductList(o), Actor())
                 : store::RemoveGrant(**store, o.organization, ProductList(o), Actor());
  if (!s.ok()) return ReportError(s);
  std::printf("%s %s: %s\n", add ? "granted" : "revoked", o.organization.c_str(),
              o.all ? "all products" : o.products.c_str());
  return kExitOk;
}

int RunKeysInit(const Options& o) {
  model::Model model;
  auto store = OpenWithModel(o, model);
  if (!store.ok()) return ReportError(store.status());
  auto key = store::InitOrganizationKey(**store, model, o.organization, Actor());
  if (!key.ok()) return ReportError(key.status());
  std::printf("%s public key (Ed25519, base64url) %s\n", o.organization.c_str(), key->c_str());
  return kExitOk;
}

int RunKeysSeal(const Options& o) {
  model::Model model;
  auto store = OpenWithModel(o, model);
  if (!store.ok()) return ReportError(store.status());
  auto sealed = store::SealStoredSecrets(**store, Actor());
  if (!sealed.ok()) return ReportError(sealed.status());
  auto key_file = (*store)->SecretsKeyPath();
  if (!key_file.ok()) return ReportError(key_file.status());
  std::printf("sealed %d value%s stored in clear (key file %s)\n", *sealed, *sealed == 1 ? "" : "s",
              key_file->c_str());
  return kExitOk;
}

int RunPartner(const Options& o) {
  model::Model model;
  auto store = OpenWithModel(o, model);
  if (!store.ok()) return ReportError(store.status());
  Status s = store::SetPartner(
      **store, model, {o.organization, o.url, o.client_id, o.client_secret, o.ca_file}, Actor());
  if (!s.ok()) return ReportError(s);
  std::printf("partner %s at %s\n", o.organization.c_str(), o.url.c_str());
  return kExitOk;
}

}  // namespace

void AddServerCommands(CommandLine& command_line) {
  auto o = std::make_shared<Options>();
  CLI::App& app = command_line.app();

  CLI::App* serve =
      command_line.Add(app, "serve", "Serve the node's HTTPS API", [o] { return RunServe(*o); });
  serve->add_option("db", o->db, "store file or postgresql:// URL")->required();
  serve->add_option("--listen", o->listen, "HOST:PORT (default 127.0.0.1:8443)");
  serve->add_option("--public-url", o->public_url,
                    "https://HOST[:PORT] partners reach the node at: the base of every link it "
                    "gives (required unless --listen is a loopback address)");
  serve->add_option("--cert", o->cert, "TLS certificate (PEM); default: self-signed beside DB");
  serve->add_option("--key", o->key, "TLS private key (PEM)");
  const char* const secrets_help =
      "the file of the key secrets are sealed and tokens signed with (default: DB.secrets.key "
      "beside a store file; required for a URL)";
  serve->add_option("--secrets-key", o->secrets_key, secrets_help);
  serve->add_option("--threads", o->threads,
                    "worker threads for the requests that may wait: store, solver, token "
                    "(default 16)");
  serve->add_option("--io-threads", o->io_threads,
                    "I/O threads: TLS and every connection's reads and writes, and the PACT "
                    "footprint reads (default 0: one per CPU the node may run on)");
  serve->add_option("--web", o->web,
                    "the dashboard's files, served at / (default: ../share/renkei/web beside "
                    "the executable, when it exists)");

  CLI::App* client = app.add_subcommand("client", "API clients (OAuth2 client credentials)");
  client->require_subcommand(1);
  CLI::App* add = command_line.Add(*client, "add", "Add a client; prints its id and secret once",
                                   [o] { return RunClientAdd(*o); });
  add->add_option("db", o->db, "store file or postgresql:// URL")->required();
  add->add_option("name", o->name, "client name")->required();
  add->add_option("--organization", o->organization, "its organization id")->required();
  add->add_flag("--admin", o->admin, "sees everything and may import bundles");
  CLI::App* list =
      command_line.Add(*client, "list", "List clients", [o] { return RunClientList(*o); });
  list->add_option("db", o->db, "store file or postgresql:// URL")->required();
  CLI::App* revoke_client =
      command_line.Add(*client, "revoke", "Revoke a client", [o] { return RunClientRevoke(*o); });
  revoke_client->add_option("db", o->db, "store file or postgresql:// URL")->required();
  revoke_client->add_option("id", o->id, "client id")->required();

  for (bool add_grant : {true, false}) {
    CLI::App* g = command_line.Add(
        app, add_grant ? "grant" : "revoke",
        add_grant ? "Grant an organization access to products" : "Revoke access grants",
        [o, add_grant] { return RunGrant(*o, add_grant); });
    g->add_option("db", o->db, "store file or postgresql:// URL")->required();
    g->add_option("organization", o->organization, "organization id")->required();
    g->add_option("--products", o->products, "product ids, comma-separated");
    g->add_flag("--all", o->all, "every product");
  }

  CLI::App* keys = app.add_subcommand("keys", "Organization signing keys");
  keys->require_subcommand(1);
  CLI::App* init = command_line.Add(*keys, "init", "Make an organization's Ed25519 key pair",
                                    [o] { return RunKeysInit(*o); });
  init->add_option("db", o->db, "store file or postgresql:// URL")->required();
  init->add_option("organization", o->organization, "organization id")->required();
  init->add_option("--secrets-key", o->secrets_key, secrets_help);
  CLI::App* seal = command_line.Add(
      *keys, "seal", "Seal key seeds and partner secrets an earlier version stored in clear",
      [o] { return RunKeysSeal(*o); });
  seal->add_option("db", o->db, "store file or postgresql:// URL")->required();
  seal->add_option("--secrets-key", o->secrets_key, secrets_help);

  CLI::App* partner =
      command_line.Add(app, "partner", "Set where to send events for a partner organization",
                       [o] { return RunPartner(*o); });
  partner->add_option("db", o->db, "store file or postgresql:// URL")->required();
  partner->add_option("organization", o->organization, "partner organization id")->required();
  partner->add_option("--url", o->url, "https://host:port of its node")->required();
  partner->add_option("--client-id", o->client_id, "our client id at the partner")->required();
  partner->add_option("--client-secret", o->client_secret, "our secret there")->required();
  partner->add_option("--ca", o->ca_file, "its certificate or CA (PEM)");
  partner->add_option("--secrets-key", o->secrets_key, secrets_help);
}

}  // namespace renkei::cli
