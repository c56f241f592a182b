// The JSON bundle reader (src/io/bundle.h: parse, table and column checks, every row
// through model::ModelBuilder) on any bytes as a bundle.json.
//
// Invariants: errors are InvalidArgument and name the file; a bundle that reads is
// written (JSON, and a folder of CSV files) into bundles that read back and write the
// same JSON again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/files.h"
#include "fuzz/fuzz_check.h"
#include "io/bundle.h"

namespace renkei::fuzz {
namespace {

// The model `path` holds, written as a JSON bundle.
std::string Rewritten(const std::string& path, const std::string& json_path) {
  StatusOr<model::Model> model = io::ReadBundle(path);
  Check(model.ok(), "a written bundle reads back", model.status().ToString());
  Check(io::WriteBundle(*model, json_path, io::BundleFormat::kJson).ok(), "a bundle is written");
  StatusOr<std::string> text = ReadFile(json_path);
  Check(text.ok(), "a written bundle is read", text.status().ToString());
  return *text;
}

void FuzzOne(std::string_view bytes) {
  // Read from memory (io::ReadJsonBundleText, as a request body is): no file per run.
  model::Model model;
  Status status = io::ReadJsonBundleText(std::string(bytes), "bundle.json", model);
  if (!status.ok()) {
    Check(status.code() == StatusCode::kInvalidArgument, "bundle errors are InvalidArgument",
          status.ToString());
    Check(status.message().rfind("bundle.json", 0) == 0, "bundle errors name the file",
          status.message());
    return;
  }
  static const std::string written = ScratchPath("written.json");
  Check(io::WriteBundle(model, written, io::BundleFormat::kJson).ok(), "a bundle is written");
  StatusOr<std::string> first = ReadFile(written);
  Check(first.ok(), "a written bundle is read", first.status().ToString());

  static const std::string again = ScratchPath("again.json");
  Check(Rewritten(written, again) == *first, "a written JSON bundle reads back the same");
  static const std::string csv = ScratchPath("csv");
  Check(io::WriteBundle(model, csv, io::BundleFormat::kCsv).ok(), "a CSV bundle is written");
  Check(Rewritten(csv, again) == *first, "a written CSV bundle reads back the same");
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
