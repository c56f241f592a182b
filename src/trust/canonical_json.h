// The JSON Canonicalization Scheme (RFC 8785): one byte sequence per JSON value,
// so that a signature over it survives re-serialisation by any other party.
//
// Object members are sorted by the UTF-16 code units of their names; strings use
// the shortest escapes (\" \\ \b \f \n \r \t, other controls as \u00xx) and carry
// every other character as UTF-8; numbers, integers included, are read as IEEE 754
// doubles and written as ECMAScript writes them (shortest round-trip digits, exponent
// form below 1e-6 and from 1e21 on, -0 as 0, 2^53 + 1 as 9007199254740992).
#ifndef RENKEI_TRUST_CANONICAL_JSON_H_
#define RENKEI_TRUST_CANONICAL_JSON_H_

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::trust {

// The canonical form of `value`. InvalidArgument for a NaN or infinite number
// (nlohmann can hold them; JSON cannot), or a string that is not valid UTF-8.
StatusOr<std::string> CanonicalJson(const nlohmann::ordered_json& value);

// Parses `text` and returns its canonical form; InvalidArgument when it is not JSON.
StatusOr<std::string> CanonicalizeJsonText(std::string_view text);

// A double as ECMAScript's Number.prototype.toString writes it ("1e+21", "0.000001",
// "1e-7", "123.45"). Only finite values.
std::string EcmaScriptNumber(double value);

}  // namespace renkei::trust

#endif  // RENKEI_TRUST_CANONICAL_JSON_H_
