#include "app/cli/commands.h"

namespace kiln::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"inspect", "MODEL [--json] [--shape NAME=1x3x224x224]... [--dim SYMBOL=N]...",
       "summary: producer, opsets, I/O, op counts, parameters, MACs/FLOPs, unsupported ops", run_inspect},
      {"dump", "MODEL [--ids] [--docs] [--full] [--infer]",
       "the graph in Kiln's readable text form (stable; used for golden fixtures)", run_dump},
      {"dump-types", "MODEL", "every value's inferred type, one 'NAME<TAB>TYPE' line each", run_dump_types},
      {"export", "MODEL -o OUT.onnx [--external-data auto|always|never] [--external-min-bytes N]",
       "write the model back as ONNX (external data for big tensors or on request)", run_export},
      {"devices", "[--json]", "CPU features and CUDA devices Kiln can use", run_devices},
      {"run",
       "MODEL [--inputs DIR] [--outputs DIR] [--shape NAME=DIMS]... [--backend ref|cpu] [--threads N] [--seed N] [--iters N]",
       "run a model once (inputs from DIR as input_N.pb or NAME.npy, else seeded random)", run_run},
      {"passes", "[--json]", "the optimization passes, their options and statistics", run_passes},
      {"optimize",
       "MODEL -o OUT.onnx [--recipe FILE | --passes a,b,c] [--target portable|kiln] [--verify] [--report FILE.json] "
       "[--shape NAME=DIMS]... [--seed N]",
       "apply a recipe step by step (built-in: portable = standard ONNX ops only, kiln = also Kiln's fused ops)",
       run_optimize},
      {"profile", "MODEL [--against REF.onnx] [--json FILE]",
       "latency, throughput, memory, accuracy (planned: profiler)", run_planned},
      {"bench", "MODEL [--iters N] [--compare-ort]", "short latency run (planned: profiler)", run_planned},
      {"compare", "A.json B.json", "table of deltas between two reports (planned: profiler)", run_planned},
  };
  return list;
}

const Command* find_command(const std::string& name) {
  for (const Command& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: kiln-cli COMMAND [ARGS]\n\ncommands:\n");
  for (const Command& c : commands()) std::fprintf(out, "  %-11s %s\n", c.name, c.summary);
  std::fprintf(out, "\n");
  for (const Command& c : commands()) std::fprintf(out, "  kiln-cli %s %s\n", c.name, c.usage);
}

}  // namespace kiln::cli
