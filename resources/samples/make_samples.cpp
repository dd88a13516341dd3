// kiln-make-samples OUTDIR: writes the bundled sample models (core/builder/sample_models.h) to
// OUTDIR/<name>.onnx. Runs at build time, so no model binaries live in the repository; the output
// is byte-for-byte the same on every run and platform.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "core/builder/sample_models.h"
#include "core/onnx/onnx_export.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln-make-samples OUTDIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  try {
    std::filesystem::create_directories(dir);
    for (const kiln::SampleModel& s : kiln::sample_models()) {
      kiln::Model m = s.make(1);
      kiln::ExportOptions options;
      options.external_data = kiln::ExportOptions::ExternalData::Never;
      kiln::save_model(m, (dir / (std::string(s.name) + ".onnx")).string(), options);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiln-make-samples: %s\n", e.what());
    return 1;
  }
  return 0;
}
