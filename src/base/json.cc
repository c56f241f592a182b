#include "base/json.h"

#include <type_traits>
#include <utility>

namespace renkei {
namespace {

// "<where>:LINE:COLUMN" or "line LINE, column COLUMN" for byte `offset` of `text`.
std::string Place(std::string_view text, size_t offset, std::string_view where) {
  size_t line = 1, column = 1;
  for (size_t j = 0; j < offset && j < text.size(); ++j) {
    if (text[j] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[j]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  if (where.empty()) return "line " + std::to_string(line) + ", column " + std::to_string(column);
  return std::string(where) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// nlohmann's message without its "[json.exception...] parse error at line L, column C: "
// prefix (the place is given our way) and its "; last read: '...'" (raw input, which may
// be anything).
std::string Reason(const std::string& what) {
  std::string out = what;
  if (!out.empty() && out[0] == '[') {
    const size_t end = out.find("] ");
    if (end != std::string::npos) out = out.substr(end + 2);
  }
  const size_t column = out.find(", column ");
  if (out.rfind("parse error", 0) == 0 && column != std::string::npos) {
    const size_t colon = out.find(": ", column);
    if (colon != std::string::npos) out = out.substr(colon + 2);
  }
  const size_t read = out.find("; last read: '");
  if (read != std::string::npos) {
    const size_t end = out.find("'; ", read + 14);
    out.erase(read, end == std::string::npos ? std::string::npos : end + 1 - read);
  }
  return out;
}

// The DOM builder, keeping the offset of the first error (nlohmann's own parse
// drops it for numbers out of range).
template <class Json>
class Sax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  explicit Sax(Json& out) : nlohmann::detail::json_sax_dom_parser<Json>(out, false) {}
  // `position` is one past the last byte read: the offending byte of a syntax error,
  // the end of a number out of range (`token`, which is then named from its start).
  template <class Exception>
  bool parse_error(size_t position, const std::string& token, const Exception& e) {
    if (!failed_) {
      failed_ = true;
      const size_t back =
          std::is_same_v<Exception, nlohmann::json::out_of_range> ? token.size() : 1;
      offset_ = position >= back ? position - back : 0;
      reason_ = Reason(e.what());
    }
    return false;
  }
  bool failed() const { return failed_; }
  size_t offset() const { return offset_; }
  const std::string& reason() const { return reason_; }

 private:
  bool failed_ = false;
  size_t offset_ = 0;
  std::string reason_;
};

}  // namespace

Status CheckJsonDepth(std::string_view text, std::string_view where, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth <= max_depth) continue;
      return InvalidArgumentError(Place(text, i, where) + ": JSON nested deeper than " +
                                  std::to_string(max_depth) + " levels");
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return Status::Ok();
}

template <class Json>
StatusOr<Json> ParseJson(std::string_view text, std::string_view where) {
  RENKEI_RETURN_IF_ERROR(CheckJsonDepth(text, where));
  Json out;
  Sax<Json> sax(out);
  try {
    Json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const nlohmann::json::exception& e) {  // not expected: the SAX gets every error
    return InvalidArgumentError(Place(text, 0, where) + ": invalid JSON: " + Reason(e.what()));
  }
  if (sax.failed()) {
    return InvalidArgumentError(Place(text, sax.offset(), where) +
                                ": invalid JSON: " + sax.reason());
  }
  return out;
}

template StatusOr<nlohmann::json> ParseJson(std::string_view, std::string_view);
template StatusOr<nlohmann::ordered_json> ParseJson(std::string_view, std::string_view);

}  // namespace renkei
