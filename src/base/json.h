// The one nesting limit of every JSON text Renkei reads: bundles, PACT files, API
// bodies, events and the documents it stored itself.
#ifndef RENKEI_BASE_JSON_H_
#define RENKEI_BASE_JSON_H_

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei {

// The deepest nesting of arrays and objects accepted: 64 levels (a PACT footprint
// needs 5, a bundle 3). Every parse checks it first, so nothing that walks a parsed
// document (printing, canonical JSON, error paths) recurses deeper than this.
inline constexpr int kMaxJsonDepth = 64;

// OK when no array or object of `text` opens deeper than `max_depth`; otherwise
// InvalidArgumentError "<where>:LINE:COLUMN: JSON nested deeper than 64 levels"
// ("line LINE, column COLUMN: ..." when `where` is empty), naming the bracket that
// goes too deep (columns count UTF-8 characters). Checks nothing else of the
// syntax; linear in the text, no recursion, no allocation.
Status CheckJsonDepth(std::string_view text, std::string_view where = {},
                      int max_depth = kMaxJsonDepth);

// Parses `text` as one JSON value (nlohmann::json or nlohmann::ordered_json) after
// CheckJsonDepth. Every failure is InvalidArgumentError naming the place as
// CheckJsonDepth does, "<where>:LINE:COLUMN: invalid JSON: <what>": syntax errors,
// invalid UTF-8, trailing text and numbers beyond a double's range (1e309). Never
// throws.
template <class Json>
StatusOr<Json> ParseJson(std::string_view text, std::string_view where = {});

extern template StatusOr<nlohmann::json> ParseJson(std::string_view, std::string_view);
extern template StatusOr<nlohmann::ordered_json> ParseJson(std::string_view, std::string_view);

}  // namespace renkei

#endif  // RENKEI_BASE_JSON_H_
