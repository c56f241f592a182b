// Hints to the operating system about large arrays.
#ifndef RENKEI_BASE_MEMORY_H_
#define RENKEI_BASE_MEMORY_H_

#include <cstddef>

namespace renkei {

// Asks for transparent huge pages (2 MB) under the not yet touched array at
// `data` of `bytes` bytes, so filling an array of hundreds of megabytes takes a
// few hundred page faults instead of a hundred thousand. Only the whole huge
// pages inside the range are affected; small arrays are left alone. A hint:
// harmless where the kernel does not support it.
void AdviseHugePages(const void* data, size_t bytes);

}  // namespace renkei

#endif  // RENKEI_BASE_MEMORY_H_
