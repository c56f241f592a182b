// Hints to the operating system about large arrays, and giving memory back.
#ifndef RENKEI_BASE_MEMORY_H_
#define RENKEI_BASE_MEMORY_H_

#include <cstddef>
#include <vector>

namespace renkei {

// Asks for transparent huge pages (2 MB) under the not yet touched array at
// `data` of `bytes` bytes, so filling an array of hundreds of megabytes takes a
// few hundred page faults instead of a hundred thousand. Only the whole huge
// pages inside the range are affected; small arrays are left alone. A hint:
// harmless where the kernel does not support it.
void AdviseHugePages(const void* data, size_t bytes);

// Reserves room for `n` elements in the empty vector `v` under huge pages: for an
// array that is read at random afterwards, huge pages also spare most of the TLB
// misses (a network of a million nodes spans a few hundred megabytes).
template <typename T, typename A>
void ReserveHugePages(std::vector<T, A>& v, size_t n) {
  v.reserve(n);
  AdviseHugePages(v.data(), v.capacity() * sizeof(T));
}

// Moves a filled vector's elements into a new array under huge pages (see above);
// the capacity shrinks to the size.
template <typename T, typename A>
void MoveToHugePages(std::vector<T, A>& v) {
  std::vector<T, A> fresh;
  ReserveHugePages(fresh, v.size());
  fresh.assign(v.begin(), v.end());
  v.swap(fresh);
}

// Gives the memory the allocator holds free back to the operating system (glibc's
// malloc_trim over every arena): after a burst of short-lived allocations — many
// connections' TLS buffers — the process would otherwise keep its peak size. Takes
// milliseconds on a heap of hundreds of megabytes; thread-safe.
void ReturnFreeMemory();

}  // namespace renkei

#endif  // RENKEI_BASE_MEMORY_H_
