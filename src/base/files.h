// Whole-file helpers.
#ifndef RENKEI_BASE_FILES_H_
#define RENKEI_BASE_FILES_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei {

// The whole content of `path`; NotFound when it does not exist.
StatusOr<std::string> ReadFile(const std::string& path);

// Writes `content` to `path` through a temporary file and a rename, so that a
// reader never sees half a file.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace renkei

#endif  // RENKEI_BASE_FILES_H_
