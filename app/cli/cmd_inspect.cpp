#include <charconv>
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/analysis/model_summary.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"

namespace kiln::cli {

int run_inspect(const std::vector<std::string>& argv) {
  Args args("inspect", argv, {"--json"}, {"--shape", "--dim"});
  const std::string& path = args.one_positional("MODEL path");
  SummaryOptions opt;
  for (const std::string& s : args.all("--shape")) {
    auto [name, dims] = split_assignment(s, "--shape");
    opt.input_shapes[name] = parse_dims(dims, "--shape");
  }
  for (const std::string& s : args.all("--dim")) {
    auto [name, value] = split_assignment(s, "--dim");
    int64_t v = -1;
    auto r = std::from_chars(value.data(), value.data() + value.size(), v);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size() || v < 0)
      fail("--dim: '", s, "' needs a non-negative integer value");
    opt.dims[name] = v;
  }
  ImportOptions io;
  io.load_external_data = false;  // structure and sizes are enough; no need to map weights
  Model model = load_model(path, io);
  for (const auto& [name, dims] : opt.input_shapes) {
    Value* v = model.graph->find_value(name);
    if (!v || !v->is_graph_input()) fail("--shape: '", name, "' is not an input of ", path);
  }
  ModelSummary s = summarize_model(model, opt);
  std::string text = args.flag("--json") ? summary_to_json(s).dump(2) : summary_to_text(s);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace kiln::cli
