#include <charconv>
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"

namespace kiln::cli {

int run_export(const std::vector<std::string>& argv) {
  Args args("export", argv, {}, {"-o", "--output", "--external-data", "--external-min-bytes"});
  const std::string& path = args.one_positional("MODEL path");
  auto out = args.get("-o");
  if (!out) out = args.get("--output");
  if (!out) fail("missing -o OUT.onnx");
  ExportOptions eo;
  if (auto mode = args.get("--external-data")) {
    if (*mode == "auto") eo.external_data = ExportOptions::ExternalData::Auto;
    else if (*mode == "always") eo.external_data = ExportOptions::ExternalData::Always;
    else if (*mode == "never") eo.external_data = ExportOptions::ExternalData::Never;
    else fail("--external-data: '", *mode, "' is not one of auto, always, never");
  }
  if (auto mb = args.get("--external-min-bytes")) {
    int64_t v = -1;
    auto r = std::from_chars(mb->data(), mb->data() + mb->size(), v);
    if (r.ec != std::errc() || r.ptr != mb->data() + mb->size() || v < 0)
      fail("--external-min-bytes: '", *mb, "' is not a non-negative integer");
    eo.external_min_bytes = v;
  }
  Model model = load_model(path);
  save_model(model, *out, eo);
  return 0;
}

}  // namespace kiln::cli
