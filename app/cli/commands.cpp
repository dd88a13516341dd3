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
      {"profile",
       "MODEL [--against REF.onnx] [--inputs DIR | --images DIR [--mean a,b,c] [--std a,b,c] [--layout nchw|nhwc] "
       "[--size HxW]] [--labels FILE] [--batch 1,2,4,8] [--latency-bound MS] [--memory-bound MB] "
       "[--backend ref|cpu|cuda] [--threads N] [--pin] [--shape NAME=DIMS]... [--seed N] [--iters N] [--warmup N] "
       "[--time-budget S] [--node-iters N] [--samples N] [--no-sweep] [--no-energy] [--no-node-error] "
       "[--recipe FILE | --steps [--target portable|kiln]] [--json FILE]",
       "latency (per node, per original node), throughput, memory, compute, energy, accuracy deltas; per step with --steps",
       run_profile},
      {"bench",
       "MODEL [--backend ref|cpu|cuda] [--threads N] [--pin] [--iters N] [--warmup N] [--time-budget S] "
       "[--shape NAME=DIMS]... [--seed N] [--json] [--compare-ort]",
       "short latency run; --compare-ort runs ONNX Runtime on the same inputs and prints the ratio", run_bench},
      {"compare", "A.json B.json [--json]", "table of deltas between two profile reports, with the direction of change",
       run_compare},
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
