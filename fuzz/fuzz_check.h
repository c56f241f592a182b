// What the fuzz targets share: invariant checks that stop the run, and scratch files.
#ifndef RENKEI_FUZZ_FUZZ_CHECK_H_
#define RENKEI_FUZZ_FUZZ_CHECK_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace renkei::fuzz {

// Stops the run (libFuzzer then keeps the input as a crash) when `ok` is false: an
// invariant of the code under test does not hold.
inline void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// A path for scratch file `name` in a folder of this process's own under TMPDIR,
// removed at a normal exit (a crash leaves it: scripts/fuzz sets TMPDIR to its
// scratch folder).
inline std::string ScratchPath(std::string_view name) {
  static const std::filesystem::path dir = [] {
    static std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("renkei-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    });
    return d;
  }();
  return (dir / name).string();
}

inline void WriteScratch(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Check(static_cast<bool>(out), "scratch file written", path);
}

}  // namespace renkei::fuzz

#endif  // RENKEI_FUZZ_FUZZ_CHECK_H_
