#include "trust/sealed.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "trust/keys.h"

namespace renkei::trust {
namespace {

constexpr std::string_view kPrefix = "sealed:v1:";
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

static_assert(kSealingKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status Sodium() {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  return Status::Ok();
}

// Writes `text` to a new file at `path` with mode 0600; false (errno set) on failure.
bool WritePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

}  // namespace

std::string SealingKeyPath(const std::string& store_path) { return store_path + ".secrets.key"; }

StatusOr<SealingKey> LoadSealingKey(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError("no sealing key file " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  std::string line = text.str();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  StatusOr<std::string> raw = Base64UrlDecode(line);
  if (!raw.ok() || raw->size() != kSealingKeyBytes) {
    return DataLossError(path + ": not a sealing key (one line of base64url, 32 bytes)");
  }
  SealingKey key{};
  std::copy(raw->begin(), raw->end(), key.begin());
  return key;
}

StatusOr<SealingKey> LoadOrCreateSealingKey(const std::string& path) {
  StatusOr<SealingKey> key = LoadSealingKey(path);
  if (key.ok() || key.status().code() != StatusCode::kNotFound) return key;
  RENKEI_RETURN_IF_ERROR(Sodium());
  SealingKey made{};
  crypto_aead_xchacha20poly1305_ietf_keygen(made.data());
  const std::string text =
      Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(made.data()), made.size())) +
      "\n";
  // Written whole under a temporary name, then linked into place: a reader never sees
  // half a key, and of two processes making one at once, the first link wins.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (!WritePrivateFile(tmp, text)) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return UnavailableError("cannot write " + tmp + ": " + why);
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int saved = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && saved != EEXIST) {
    return UnavailableError("cannot create " + path + ": " + std::strerror(saved));
  }
  if (linked != 0) return LoadSealingKey(path);
  return made;
}

bool IsSealed(std::string_view text) { return text.substr(0, kPrefix.size()) == kPrefix; }

StatusOr<std::string> Seal(const SealingKey& key, std::string_view plaintext,
                           std::string_view context) {
  RENKEI_RETURN_IF_ERROR(Sodium());
  std::string box(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(context), context.size(),
                                             nullptr, out, key.data());
  box.resize(kNonceBytes + written);
  return std::string(kPrefix) + Base64UrlEncode(box);
}

StatusOr<std::string> Unseal(const SealingKey& key, std::string_view sealed,
                             std::string_view context) {
  RENKEI_RETURN_IF_ERROR(Sodium());
  if (!IsSealed(sealed)) return DataLossError("not a sealed value");
  StatusOr<std::string> box = Base64UrlDecode(sealed.substr(kPrefix.size()));
  if (!box.ok() || box->size() < kNonceBytes + kTagBytes) {
    return DataLossError("a sealed value that is not well formed");
  }
  std::string plain(box->size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long length = 0;
  const auto* in = Bytes(*box);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &length, nullptr, in + kNonceBytes,
          box->size() - kNonceBytes, Bytes(context), context.size(), in, key.data()) != 0) {
    return DataLossError(
        "a sealed value that does not open with this sealing key (another key file, or the "
        "value was altered or moved from another row)");
  }
  plain.resize(length);
  return plain;
}

}  // namespace renkei::trust
