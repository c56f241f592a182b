// The dashboard's files (NodeOptions::web_dir), compressed once in the background.
#include "server/internal/node_impl.h"

namespace renkei::server {

namespace {

std::string ContentType(const std::string& path) {
  const size_t dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  static const std::map<std::string, std::string> types = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"json", "application/json"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"paths", "text/plain; charset=utf-8"},  // the dashboard's basemap (SVG path data)
  };
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

void Node::Impl::Static(const Request& req, Response& res) {
  namespace fs = std::filesystem;
  const std::string& path = req.path;  // percent-decoded by the transport
  for (const char* api : {"/api/", "/2/", "/3/", "/auth/", "/.well-known/"}) {
    if (StartsWith(path, api)) return SendError(res, {404, "NotFound", "no such endpoint"});
  }
  if (options_.web_dir.empty()) {
    return SendError(res, {404, "NotFound", "the dashboard is not installed on this node"});
  }
  const ApiError missing{404, "NotFound", "no such file"};
  // No "..", no hidden files, no encoded characters left, no backslashes.
  if (path.empty() || path[0] != '/' || path.find('%') != std::string::npos ||
      path.find('\\') != std::string::npos || path.find('\0') != std::string::npos ||
      path.find("/.") != std::string::npos) {
    return SendError(res, missing);
  }
  std::string relative = path.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::error_code ec;
  const fs::path root = fs::canonical(options_.web_dir, ec);
  if (ec) return SendError(res, missing);
  const fs::path file = fs::weakly_canonical(root / relative, ec);
  const std::string root_prefix = root.string() + "/";
  if (ec || file.string().rfind(root_prefix, 0) != 0 || !fs::is_regular_file(file, ec)) {
    return SendError(res, missing);
  }
  const std::string type = ContentType(file.string());
  const uint64_t size = fs::file_size(file, ec);
  const int64_t mtime = fs::last_write_time(file, ec).time_since_epoch().count();
  auto cached = ec ? nullptr : static_cache_.Find(file.string(), size, mtime);
  std::string body;
  if (cached == nullptr) {
    std::ifstream in(file, std::ios::binary);
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return SendError(res, {500, "InternalError", "cannot read file"});
  }
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control",
                 StartsWith(path, "/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  if (StartsWith(type, "text/html")) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
  }
  res.status = 200;
  if (cached != nullptr) return SendFile(req, res, std::move(cached), type);
  SendBody(req, res, std::move(body), type);
}

void Node::Impl::WarmStaticCache() {
  namespace fs = std::filesystem;
  constexpr uint64_t kMaxBytes = 64 << 20;  // a dashboard is a few MB; bigger files stay uncached
  std::error_code ec;
  const fs::path root = fs::canonical(options_.web_dir, ec);
  if (ec) return;
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (static_stop_) return;
    if (it->path().filename().string().rfind('.', 0) == 0) {  // hidden: never served
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;  // links are not served
    const uint64_t size = it->file_size(ec);
    if (ec || (total += size) > kMaxBytes) return;
    const int64_t mtime = it->last_write_time(ec).time_since_epoch().count();
    if (!ec) static_cache_.Add(it->path().string(), size, mtime, ContentType(it->path().string()));
  }
}

}  // namespace renkei::server
