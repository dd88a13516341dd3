// libFuzzer target for the ONNX importer: any bytes either import or throw kiln::Error, and any
// model that imports also exports and imports again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kiln::Model model;
  try {
    // No base folder: external data references fail instead of reading files.
    model = kiln::load_model_from_bytes(data, size, "fuzz.onnx");
  } catch (const kiln::Error&) {
    return 0;
  }
  // What the importer accepted, the exporter must write and the importer read back, and from
  // then on the round trip must be exact.
  std::string bytes = kiln::serialize_model(model);
  kiln::Model again = kiln::load_model_from_bytes(bytes.data(), bytes.size(), "fuzz re-export");
  if (kiln::serialize_model(again) != bytes) __builtin_trap();
  return 0;
}
