#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/analysis/shape_inference.h"
#include "core/ir/text_format.h"
#include "core/onnx/onnx_import.h"

namespace kiln::cli {

int run_dump(const std::vector<std::string>& argv) {
  Args args("dump", argv, {"--ids", "--docs", "--full", "--infer"}, {});
  const std::string& path = args.one_positional("MODEL path");
  ImportOptions io;
  io.load_external_data = args.flag("--full");
  Model model = load_model(path, io);
  if (args.flag("--infer")) infer_shapes(model);
  PrintOptions po;
  po.show_ids = args.flag("--ids");
  po.show_doc_strings = args.flag("--docs");
  if (args.flag("--full")) po.max_inline_elements = INT64_MAX;
  std::string text = print_model(model, po);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int run_dump_types(const std::vector<std::string>& argv) {
  Args args("dump-types", argv, {}, {});
  const std::string& path = args.one_positional("MODEL path");
  ImportOptions io;
  io.load_external_data = false;
  Model model = load_model(path, io);
  infer_shapes(model);
  std::string out;
  model.graph->for_each_value([&](const Value* v) {
    out += v->name();
    out += '\t';
    out += v->type.str();
    out += '\n';
  });
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace kiln::cli
