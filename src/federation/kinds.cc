#include "federation/kinds.h"

#include "base/clock.h"

namespace renkei::federation {

Status AddBuiltInKinds(Registry& registry) {
  return registry.Add(kHelloKind, [](Context& context) -> StatusOr<Answer> {
    Answer answer;
    answer.body = {{"organization", context.question().recipient},
                   {"kinds", context.registry().Kinds()},
                   {"time_ms", NowMillis()},
                   {"time", NowRfc3339(true)}};
    return answer;
  });
}

}  // namespace renkei::federation
