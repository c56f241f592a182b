// ISO 3166-1 alpha-2 country codes.
#ifndef RENKEI_MODEL_COUNTRIES_H_
#define RENKEI_MODEL_COUNTRIES_H_

#include <string_view>

namespace renkei::model {

// True for an officially assigned ISO 3166-1 alpha-2 code ("JP", "US"; upper case).
bool IsCountryCode(std::string_view code);

}  // namespace renkei::model

#endif  // RENKEI_MODEL_COUNTRIES_H_
