#include "server/router.h"

namespace renkei::server {

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  size_t start = 1;
  for (;;) {
    const size_t end = path.find('/', start);
    out.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool MatchPath(std::span<const std::string> pattern, std::span<const std::string_view> segments,
               std::vector<std::string>& params) {
  params.clear();
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!pattern[i].empty() && pattern[i].front() == '{') {
      if (segments[i].empty()) return false;
      params.emplace_back(segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace renkei::server
