// Graph view scale benchmark: exporter-like models of 1k, 10k and 50k nodes are opened (parsed
// from ONNX bytes, shapes inferred) and laid out as the workbench does it, phase by phase, against
// the goals (10k nodes under 2 s, 50k under 10 s). A benchmark, not a test: it always exits 0.
#include <chrono>
#include <cstdio>
#include <string>

#include "core/analysis/shape_inference.h"
#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "tests/bench/synthetic_models.h"
#include "views/graph/view_graph.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void run(const char* kind, size_t target) {
  const kiln::Model made = std::string(kind) == "transformer" ? kiln::bench::synthetic_transformer(target)
                                                              : kiln::bench::synthetic_resnet(target);
  const std::string bytes = kiln::serialize_model(made);
  auto t0 = std::chrono::steady_clock::now();
  kiln::Model model = kiln::load_model_from_bytes(bytes.data(), bytes.size(), kind);
  kiln::infer_shapes(model);
  const double open_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  kiln::ViewGraph vg = kiln::build_view_graph(*model.graph, {});
  const double build_s = seconds_since(t0);
  kiln::layout::LayoutInput in;
  for (const kiln::ViewItem& it : vg.items) in.sizes.push_back(it.size);
  for (const kiln::ViewEdge& e : vg.edges) in.edges.push_back({e.from, e.to});
  t0 = std::chrono::steady_clock::now();
  vg.layout = kiln::layout::layered_layout(in);
  const double layout_s = seconds_since(t0);
  const double total = open_s + build_s + layout_s;
  const double goal = target >= 50000 ? 10.0 : target >= 10000 ? 2.0 : 0.5;
  std::printf("%-12s %7zu %7zu %7zu %7d %8zu %10lld %8.3f %8.3f %8.3f %8.3f  %s (goal < %.1f s)\n", kind,
              model.graph->node_count(), vg.items.size(), vg.edges.size(), vg.layout.layer_count,
              vg.layout.dummy_count, static_cast<long long>(vg.layout.crossings), open_s, build_s, layout_s, total,
              total < goal ? "ok" : "SLOW", goal);
}

}  // namespace

int main() {
  std::printf("%-12s %7s %7s %7s %7s %8s %10s %8s %8s %8s %8s\n", "model", "nodes", "items", "edges", "layers",
              "dummies", "crossings", "open s", "view s", "layout s", "total s");
  for (size_t n : {1000, 10000, 50000}) {
    run("transformer", n);
    run("resnet", n);
  }
  return 0;
}
