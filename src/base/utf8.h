// UTF-8 checks for text that arrives from outside (request paths, query values).
#ifndef RENKEI_BASE_UTF8_H_
#define RENKEI_BASE_UTF8_H_

#include <string_view>

namespace renkei {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace renkei

#endif  // RENKEI_BASE_UTF8_H_
