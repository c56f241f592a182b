// Running the renkei binary from tests.
#ifndef RENKEI_TESTS_PROCESS_H_
#define RENKEI_TESTS_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace renkei::testing {

struct RunResult {
  int exit_code = -1;  // -signal when killed
  std::string out;
  std::string err;
};

// Runs `binary` with `args` to completion, capturing both streams.
RunResult Run(const std::string& binary, const std::vector<std::string>& args);

// Starts `binary` with `args`, its output discarded; returns the pid.
pid_t Start(const std::string& binary, const std::vector<std::string>& args);

// Waits for `pid`; returns its exit code, or -signal.
int Wait(pid_t pid);

// A TCP port on 127.0.0.1 free a moment ago.
int FreePort();

// The whole content of a file ("" when missing).
std::string Slurp(const std::string& path);

}  // namespace renkei::testing

#endif  // RENKEI_TESTS_PROCESS_H_
