// The node's request routing: a request's method and path to the route that answers
// it, by the path's segments against the routes' path templates.
#ifndef RENKEI_SERVER_ROUTER_H_
#define RENKEI_SERVER_ROUTER_H_

#include <cctype>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::server {

// The segments of a path: "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}; a
// path that does not start with '/' (or is empty) -> {}. The views point into `path`.
std::vector<std::string_view> PathSegments(std::string_view path);

// True when a path's `segments` match a path template's (`pattern`, as PathSegments
// splits it): as many segments, each equal, except that "{name}" matches any one
// non-empty segment. `params` is cleared, then holds the segments the "{name}"s
// matched, in order.
bool MatchPath(std::span<const std::string> pattern, std::span<const std::string_view> segments,
               std::vector<std::string>& params);

// Finds a request's route: the first of `routes`, in their order, whose method and
// path template match. `Route` has `method` ("get", "post", "put" or "delete", as in the OpenAPI
// document) and `path` (the document's path template, "/api/v1/sites/{site}"). The
// routes must outlive the router. Find is const and may be called from any thread.
template <typename Route>
class Router {
 public:
  explicit Router(const std::vector<Route>& routes) {
    for (const Route& r : routes) {
      Entry e{&r, {}, {}};
      for (char c : std::string_view(r.method)) e.method += static_cast<char>(std::toupper(c));
      for (std::string_view seg : PathSegments(r.path)) e.segments.emplace_back(seg);
      entries_.push_back(std::move(e));
    }
  }

  // The route of `method` `path` (HEAD finds GET routes) and its path parameters in
  // `params`, or null (`params` empty).
  const Route* Find(std::string_view method, std::string_view path,
                    std::vector<std::string>& params) const {
    if (method == "HEAD") method = "GET";
    const std::vector<std::string_view> segs = PathSegments(path);
    for (const Entry& e : entries_) {
      if (e.method == method && MatchPath(e.segments, segs, params)) return e.route;
    }
    params.clear();
    return nullptr;
  }

 private:
  struct Entry {
    const Route* route;
    std::string method;  // upper case, as requests have it
    std::vector<std::string> segments;
  };
  std::vector<Entry> entries_;
};

}  // namespace renkei::server

#endif  // RENKEI_SERVER_ROUTER_H_
