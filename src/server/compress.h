// Compression of the node's answers.
//
// Compression at the highest quality (Brotli 11) on every request costs about 5 ms per
// 10 KB, so a 100 KB script or a 70 KB list of sites would cost tenths of a second
// (seconds on a busy machine). The node compresses with settings that fit the answer and
// hands the transport the finished bytes:
// - answers built per request (the API's JSON): Brotli quality 4 or gzip level 4, from
//   1 KB up — about as small as gzip -9 at a hundredth of quality 11's time;
// - the dashboard's files: compressed once, with Brotli 11 and gzip 9, on a background
//   thread started with the node, and kept (StaticCache); a file not in the cache yet
//   (or changed since) is sent as a per-request answer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/transport.h"

namespace renkei::server {

enum class Encoding { kIdentity, kGzip, kBrotli };

// The best encoding the request's Accept-Encoding allows: br, then gzip ("q=0" refuses
// one; "*" allows both), else identity.
Encoding AcceptedEncoding(const Request& req);

// `data` in `encoding` (kIdentity: unchanged) at `level` (Brotli 0–11, gzip 1–9).
std::string Compress(std::string_view data, Encoding encoding, int level);

// `body` in `encoding` at the quality of a per-request answer, or nullopt when that is
// not worth it: identity, under 1 KB, or no smaller than `body`.
std::optional<std::string> CompressAnswer(std::string_view body, Encoding encoding);

// The Content-Encoding token of `encoding` ("" for identity).
std::string_view EncodingName(Encoding encoding);

// True for the content types worth compressing: text/*, JSON, JavaScript, SVG.
bool Compressible(std::string_view content_type);

// Sends `bytes` as they are, without a copy; `bytes` is kept alive until the answer is
// sent.
void SendBytes(Response& res, std::shared_ptr<const std::string> bytes,
               const std::string& content_type);

// Sends `body` as `content_type`: compressed for the request when it is compressible
// and at least 1 KB, always with "Vary: Accept-Encoding" for compressible types.
void SendBody(const Request& req, Response& res, std::string body, const std::string& content_type);

// Moves a compressible body a handler left in `res` through SendBody (a no-op for
// shared bodies, empty or already encoded bodies).
void CompressResponse(const Request& req, Response& res);

// One file's bytes in each encoding.
struct CompressedFile {
  std::string identity, gzip, brotli;  // gzip/brotli empty when not compressible
};

// The dashboard's files, compressed once per version (size and modification time).
class StaticCache {
 public:
  // The file's bytes, or null when the file is not cached in this version yet.
  std::shared_ptr<const CompressedFile> Find(const std::string& path, uint64_t size,
                                             int64_t mtime) const;
  // Reads and compresses `path` (a regular file of `size` bytes) and keeps it; a file
  // whose size changed meanwhile is not kept.
  void Add(const std::string& path, uint64_t size, int64_t mtime, const std::string& content_type);

 private:
  struct Entry {
    uint64_t size = 0;
    int64_t mtime = 0;
    std::shared_ptr<const CompressedFile> file;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> files_;  // GUARDED_BY(mu_)
};

// Sends a cached file in the best encoding the request accepts.
void SendFile(const Request& req, Response& res, std::shared_ptr<const CompressedFile> file,
              const std::string& content_type);

}  // namespace renkei::server
