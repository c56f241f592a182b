// The kinds of question every node answers (federation/registry.h).
//
//   hello   A partner link checked end to end (TLS, OAuth2, both organizations'
//           keys, the clocks): answers the organization that answered, the kinds it
//           answers and its clock, and asks nothing further.
#ifndef RENKEI_FEDERATION_KINDS_H_
#define RENKEI_FEDERATION_KINDS_H_

#include "base/status.h"
#include "federation/registry.h"

namespace renkei::federation {

inline constexpr char kHelloKind[] = "hello";

// Adds the kinds above to `registry`.
Status AddBuiltInKinds(Registry& registry);

}  // namespace renkei::federation

#endif  // RENKEI_FEDERATION_KINDS_H_
