#include "trust/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "base/json.h"

namespace renkei::trust {
namespace {

// Decodes UTF-8 into UTF-16 code units; false when `s` is not valid UTF-8.
bool ToUtf16(std::string_view s, std::u16string& out) {
  out.clear();
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t n = 0;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1Fu;
      n = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0Fu;
      n = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07u;
      n = 4;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += n;
  }
  return true;
}

Status WriteString(std::string_view s, std::string& out) {
  std::u16string check;
  if (!ToUtf16(s, check)) return InvalidArgumentError("string is not valid UTF-8");
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return Status::Ok();
}

Status Write(const nlohmann::ordered_json& v, std::string& out) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      out += "null";
      return Status::Ok();
    case nlohmann::json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return Status::Ok();
    // RFC 8785 reads every number as an IEEE 754 double, integers too: 2^53 + 1 is
    // written 9007199254740992, as JSON.stringify writes it.
    case nlohmann::json::value_t::number_integer:
      out += EcmaScriptNumber(static_cast<double>(v.get<int64_t>()));
      return Status::Ok();
    case nlohmann::json::value_t::number_unsigned:
      out += EcmaScriptNumber(static_cast<double>(v.get<uint64_t>()));
      return Status::Ok();
    case nlohmann::json::value_t::number_float: {
      const double d = v.get<double>();
      if (!std::isfinite(d)) return InvalidArgumentError("number is not finite");
      out += EcmaScriptNumber(d);
      return Status::Ok();
    }
    case nlohmann::json::value_t::string:
      return WriteString(v.get_ref<const std::string&>(), out);
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        RENKEI_RETURN_IF_ERROR(Write(e, out));
      }
      out.push_back(']');
      return Status::Ok();
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<std::u16string, const std::string*>> keys;
      keys.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::u16string k;
        if (!ToUtf16(it.key(), k)) return InvalidArgumentError("member name is not valid UTF-8");
        keys.emplace_back(std::move(k), &it.key());
      }
      std::sort(keys.begin(), keys.end());
      out.push_back('{');
      bool first = true;
      for (const auto& [k16, key] : keys) {
        if (!first) out.push_back(',');
        first = false;
        RENKEI_RETURN_IF_ERROR(WriteString(*key, out));
        out.push_back(':');
        RENKEI_RETURN_IF_ERROR(Write(v.at(*key), out));
      }
      out.push_back('}');
      return Status::Ok();
    }
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return InvalidArgumentError("value has no JSON form");
}

}  // namespace

std::string EcmaScriptNumber(double value) {
  if (value == 0) return "0";
  if (value < 0) return "-" + EcmaScriptNumber(-value);
  // Shortest round-trip digits in scientific form: "d.ddde[+-]x".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t e = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  const int exponent = std::stoi(sci.substr(e + 1));
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // the decimal point sits after n digits
  if (k <= n && n <= 21) return digits + std::string(static_cast<size_t>(n - k), '0');
  if (0 < n && n <= 21) {
    return digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  }
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  std::string out = digits.substr(0, 1);
  if (k > 1) out += "." + digits.substr(1);
  out += n - 1 >= 0 ? "e+" : "e-";
  out += std::to_string(std::abs(n - 1));
  return out;
}

StatusOr<std::string> CanonicalJson(const nlohmann::ordered_json& value) {
  std::string out;
  RENKEI_RETURN_IF_ERROR(Write(value, out));
  return out;
}

StatusOr<std::string> CanonicalizeJsonText(std::string_view text) {
  RENKEI_ASSIGN_OR_RETURN(nlohmann::ordered_json v, ParseJson<nlohmann::ordered_json>(text));
  return CanonicalJson(v);
}

}  // namespace renkei::trust
