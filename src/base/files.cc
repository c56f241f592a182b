#include "base/files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace renkei {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgumentError(path + ": not a file (a folder)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return NotFoundError(path + ": no such file");
    return InvalidArgumentError(path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return InternalError(path + ": read failed");
  return out.str();
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return InvalidArgumentError(path + ": cannot write: " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return InternalError(path + ": write failed");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return InternalError(path + ": rename failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace renkei
