// Pass-scaling benchmark: the full "kiln" recipe on generated graphs of about 1k, 10k and 100k
// nodes made of exporter-style blocks (unfused BN, written-out HardSwish/GELU/LayerNorm, Identity,
// Constant nodes, transpose pairs, duplicated constants). Prints time, nodes before/after and the
// growth ratio between sizes (linear scaling means ~10x per 10x nodes); the goal is < 10 s at
// 100k nodes. A benchmark, not a test: it always exits 0.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "core/builder/model_builder.h"
#include "core/util/error.h"
#include "passes/framework/pass_manager.h"

namespace kiln {
namespace {

// One block, ~40 nodes, on a [1, C, 4, 4] activation.
Value* block(ModelBuilder& b, Value* x, int i) {
  const int64_t c = 4;
  std::string p = std::to_string(i);
  p.insert(p.begin(), 'b');
  p += '.';
  Value* w = b.random_init(p + "w", {c, c, 3, 3});
  Value* y = b.conv(x, w, nullptr, {3, 3}, {1, 1}, {1, 1, 1, 1});
  y = b.batchnorm(y, b.random_uniform_init(p + "s", {c}, 0.5f, 1.5f), b.random_init(p + "bb", {c}),
                  b.random_init(p + "m", {c}), b.random_uniform_init(p + "v", {c}, 0.5f, 1.5f));
  // HardSwish written out: y * Clip(y + 3, 0, 6) / 6
  Value* a = b.op("Add", {y, b.constant_scalar(3.f)});
  Value* cl = b.op("Clip", {a, b.constant_scalar(0.f), b.constant_scalar(6.f)});
  y = b.op("Div", {b.op("Mul", {y, cl}), b.constant_scalar(6.f)});
  y = b.op("Identity", {y});
  // A transpose pair that cancels, around a unary op.
  y = b.op("Transpose", {y}, {Attribute::make_ints("perm", {0, 2, 3, 1})});
  y = b.op("Relu", {y});
  y = b.op("Transpose", {y}, {Attribute::make_ints("perm", {0, 3, 1, 2})});
  // Token-mixing MLP on the last axis with erf-GELU and a written-out LayerNorm.
  Value* h = b.op("Add", {b.op("MatMul", {y, b.random_init(p + "fc", {4, 4})}), b.random_init(p + "fcb", {4})});
  Value* d = b.op("Div", {h, b.constant_scalar(1.4142135f)});
  Value* g = b.op("Mul", {b.op("Mul", {h, b.op("Add", {b.op("Erf", {d}), b.constant_scalar(1.f)})}), b.constant_scalar(0.5f)});
  Value* mean = b.op("ReduceMean", {g}, {Attribute::make_ints("axes", {-1})});
  Value* dv = b.op("Sub", {g, mean});
  Value* var = b.op("ReduceMean", {b.op("Pow", {dv, b.constant_scalar(2.f)})}, {Attribute::make_ints("axes", {-1})});
  Value* n = b.op("Div", {dv, b.op("Sqrt", {b.op("Add", {var, b.constant_scalar(1e-5f)})})});
  n = b.op("Add", {b.op("Mul", {n, b.random_uniform_init(p + "ln_g", {4}, 0.5f, 1.5f)}), b.random_init(p + "ln_b", {4})});
  return b.op("Add", {n, x});  // residual
}

Model make_graph(int blocks) {
  ModelBuilder b("scaling", 17, 7);
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{1, 4, 4, 4});
  for (int i = 0; i < blocks; ++i) x = block(b, x, i);
  b.output(x);
  return b.take();
}

// Process CPU time: the growth ratios stay readable when other work shares the machine.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  using namespace kiln;
  try {
    const passes::Recipe recipe = passes::Recipe::builtin("kiln");
    double prev_ms = 0, prev_cpu = 0;
    int64_t prev_nodes = 0;
    // Per step: total ms (all occurrences of a pass in the recipe) at each size, to show which
    // step grows faster than the graph.
    std::map<std::string, std::vector<double>> step_ms;
    std::vector<std::string> step_order;
    std::printf("%10s %10s %10s %12s %10s %14s %10s\n", "nodes", "after", "blocks", "recipe ms", "cpu ms", "us per node",
                "growth");
    // Sizes in blocks of ~36 nodes; given on the command line to profile one size.
    std::vector<int> sizes = {25, 250, 2500};
    if (argc > 1) {
      sizes.clear();
      for (int i = 1; i < argc; ++i) sizes.push_back(std::max(1, std::atoi(argv[i])));
    }
    for (size_t si = 0; si < sizes.size(); ++si) {
      const int blocks = sizes[si];
      Model m = make_graph(blocks);
      const int64_t nodes = static_cast<int64_t>(m.graph->total_node_count());
      passes::PassManager pm;
      const auto t0 = std::chrono::steady_clock::now();
      const double cpu0 = cpu_ms();
      passes::OptimizeReport r = pm.run(m, recipe);
      const double cpu = cpu_ms() - cpu0;
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%10lld %10lld %10d %12.1f %10.1f %14.2f", static_cast<long long>(nodes),
                  static_cast<long long>(r.nodes_after), blocks, ms, cpu, ms * 1000.0 / static_cast<double>(nodes));
      if (prev_ms > 0)
        std::printf(" %9.1fx (cpu %.1fx, nodes %.1fx)", ms / prev_ms, cpu / prev_cpu,
                    static_cast<double>(nodes) / static_cast<double>(prev_nodes));
      std::printf("\n");
      for (const auto& s : r.steps) {
        std::vector<double>& t = step_ms[s.pass];
        if (t.empty()) step_order.push_back(s.pass);
        t.resize(sizes.size(), 0.0);
        t[si] += s.ms;
      }
      if (si + 1 == sizes.size()) std::printf("goal: < 10000 ms at 100k nodes: %s\n", ms < 10000 ? "met" : "NOT met");
      prev_ms = ms;
      prev_cpu = cpu;
      prev_nodes = nodes;
    }
    std::sort(step_order.begin(), step_order.end(),
              [&](const std::string& a, const std::string& b) { return step_ms[a].back() > step_ms[b].back(); });
    std::printf("\nper step (ms at each size, growth per size step):\n");
    for (const std::string& id : step_order) {
      const std::vector<double>& t = step_ms[id];
      std::printf("  %-34s", id.c_str());
      for (size_t i = 0; i < t.size(); ++i) std::printf(" %9.1f", t[i]);
      for (size_t i = 1; i < t.size(); ++i) std::printf("  %5.1fx", t[i - 1] > 0 ? t[i] / t[i - 1] : 0.0);
      std::printf("\n");
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_passes: %s\n", e.what());
  }
  return 0;
}
