#include "server/compress.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

namespace renkei::server {
namespace {

constexpr size_t kMinCompressed = 1024;
constexpr int kDynamicBrotli = 4;
constexpr int kDynamicGzip = 4;
constexpr int kStaticBrotli = BROTLI_MAX_QUALITY;
constexpr int kStaticGzip = 9;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The q value Accept-Encoding gives `coding` ("*" counts when it is not named), or -1.
double Quality(const std::string& header, std::string_view coding) {
  double named = -1, star = -1;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string::npos) end = header.size();
    std::string_view item(header.data() + start, end - start);
    const size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    double q = 1;
    if (semi != std::string_view::npos) {
      const size_t at = item.find("q=", semi);
      if (at != std::string_view::npos) {
        q = std::strtod(std::string(item.substr(at + 2)).c_str(), nullptr);
      }
    }
    if (name == coding) named = q;
    if (name == "*") star = q;
    start = end + 1;
  }
  return named >= 0 ? named : star;
}

std::string Gzip(std::string_view data, int level) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

std::string Brotli(std::string_view data, int quality) {
  size_t size = BrotliEncoderMaxCompressedSize(data.size());
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    return {};
  }
  out.resize(size);
  return out;
}

}  // namespace

void SendBytes(Response& res, std::shared_ptr<const std::string> bytes,
               const std::string& content_type) {
  res.body.clear();
  res.shared_body = std::move(bytes);
  res.headers.erase("Content-Type");  // set_content may have set it: it is sent once
  res.set_header("Content-Type", content_type);
}

Encoding AcceptedEncoding(const Request& req) {
  const std::string header = Lower(req.get_header_value("Accept-Encoding"));
  if (header.empty()) return Encoding::kIdentity;
  if (Quality(header, "br") > 0) return Encoding::kBrotli;
  if (Quality(header, "gzip") > 0) return Encoding::kGzip;
  return Encoding::kIdentity;
}

std::string Compress(std::string_view data, Encoding encoding, int level) {
  switch (encoding) {
    case Encoding::kBrotli:
      return Brotli(data, level);
    case Encoding::kGzip:
      return Gzip(data, level);
    case Encoding::kIdentity:
      break;
  }
  return std::string(data);
}

bool Compressible(std::string_view type) {
  const std::string t = Lower(type.substr(0, type.find(';')));
  return t.rfind("text/", 0) == 0 || t == "application/json" || t == "application/javascript" ||
         t == "image/svg+xml";
}

std::optional<std::string> CompressAnswer(std::string_view body, Encoding encoding) {
  if (encoding == Encoding::kIdentity || body.size() < kMinCompressed) return std::nullopt;
  std::string packed =
      Compress(body, encoding, encoding == Encoding::kBrotli ? kDynamicBrotli : kDynamicGzip);
  if (packed.empty() || packed.size() >= body.size()) return std::nullopt;
  return packed;
}

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kBrotli:
      return "br";
    case Encoding::kGzip:
      return "gzip";
    case Encoding::kIdentity:
      break;
  }
  return "";
}

void SendBody(const Request& req, Response& res, std::string body,
              const std::string& content_type) {
  if (Compressible(content_type)) {
    res.set_header("Vary", "Accept-Encoding");
    const Encoding e = AcceptedEncoding(req);
    if (std::optional<std::string> packed = CompressAnswer(body, e)) {
      res.set_header("Content-Encoding", std::string(EncodingName(e)));
      body = std::move(*packed);
    }
  }
  SendBytes(res, std::make_shared<const std::string>(std::move(body)), content_type);
}

void CompressResponse(const Request& req, Response& res) {
  if (res.body.empty() || res.shared_body || res.has_header("Content-Encoding") ||
      req.method == "HEAD")
    return;
  const std::string type = res.get_header_value("Content-Type");
  if (!Compressible(type)) return;
  std::string body = std::move(res.body);
  SendBody(req, res, std::move(body), type);
}

std::shared_ptr<const CompressedFile> StaticCache::Find(const std::string& path, uint64_t size,
                                                        int64_t mtime) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end() || it->second.size != size || it->second.mtime != mtime) return nullptr;
  return it->second.file;
}

void StaticCache::Add(const std::string& path, uint64_t size, int64_t mtime,
                      const std::string& content_type) {
  auto file = std::make_shared<CompressedFile>();
  {
    std::ifstream in(path, std::ios::binary);
    file->identity.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad() || file->identity.size() != size) return;  // changed while read: not kept
  }
  if (Compressible(content_type) && size >= kMinCompressed) {
    file->brotli = Compress(file->identity, Encoding::kBrotli, kStaticBrotli);
    file->gzip = Compress(file->identity, Encoding::kGzip, kStaticGzip);
    if (file->brotli.size() >= size) file->brotli.clear();  // not worth it
    if (file->gzip.size() >= size) file->gzip.clear();
  }
  std::lock_guard<std::mutex> lock(mu_);
  files_[path] = Entry{size, mtime, std::move(file)};
}

void SendFile(const Request& req, Response& res, std::shared_ptr<const CompressedFile> file,
              const std::string& content_type) {
  if (Compressible(content_type)) res.set_header("Vary", "Accept-Encoding");
  const std::string* bytes = &file->identity;
  Encoding sent = Encoding::kIdentity;
  const Encoding e = AcceptedEncoding(req);
  if (e == Encoding::kBrotli && !file->brotli.empty()) {
    bytes = &file->brotli;
    sent = Encoding::kBrotli;
  } else if (e != Encoding::kIdentity && !file->gzip.empty()) {
    bytes = &file->gzip;
    sent = Encoding::kGzip;
  }
  if (sent != Encoding::kIdentity)
    res.set_header("Content-Encoding", std::string(EncodingName(sent)));
  // Shares ownership of the cache entry, which a newer version may replace meanwhile.
  SendBytes(res, std::shared_ptr<const std::string>(std::move(file), bytes), content_type);
}

}  // namespace renkei::server
