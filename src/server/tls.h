// The node's TLS certificate.
#ifndef RENKEI_SERVER_TLS_H_
#define RENKEI_SERVER_TLS_H_

#include <string>

#include "base/status.h"

namespace renkei::server {

// Writes a new self-signed certificate for localhost and 127.0.0.1 (P-256 key,
// valid 825 days) to `cert_path` and its private key to `key_path` (PEM, mode 0600).
// Internal when OpenSSL fails or a file cannot be written.
Status MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path);

}  // namespace renkei::server

#endif  // RENKEI_SERVER_TLS_H_
