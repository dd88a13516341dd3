#include "core/profile/compute.h"

#include <gtest/gtest.h>

#include "core/analysis/shape_inference.h"
#include "core/builder/model_builder.h"
#include "core/builder/sample_models.h"
#include "passes/framework/pass_manager.h"

namespace kiln::profile {
namespace {

// y = Relu(x[8,64] @ w[64,32]): 8*64*32 MACs in the MatMul, 256 elements through the Relu.
Model matmul_relu() {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{8, 64});
  Value* y = b.op("MatMul", {x, b.random_init("w", {64, 32})}, {}, "mm");
  b.output(b.op("Relu", {y}, {}, "relu"));
  return b.take();
}

TEST(ProfileCompute, PeakIsTheProductOfItsFactors) {
  MachinePeak p = machine_peak();
  EXPECT_GE(p.cores, 1);
  EXPECT_GE(p.f32_lanes, 1);
  if (p.ghz > 0) {
    EXPECT_DOUBLE_EQ(p.gflops_per_core, p.ghz * p.f32_lanes * 2 * p.fma_units);
  }
  EXPECT_NE(p.how.find("GFLOP/s"), std::string::npos);
}

TEST(ProfileCompute, PerNodeFlopsRatesAndRooflineClass) {
  Model m = matmul_relu();
  SessionOptions so;
  Session s(m, so);  // compiles: shapes inferred
  LatencyResult lat;
  lat.end_to_end.p50 = 1.0;  // 1 ms end to end
  for (const Node* n : s.model().graph->nodes()) {
    NodeTime t;
    t.id = n->id();
    t.mean_ms = n->op_type == "MatMul" ? 0.5 : 0.25;
    lat.nodes.push_back(t);
  }
  MachinePeak peak;
  peak.cores = 4;
  peak.gflops_per_core = 10;
  // Ridge = 20 GFLOP/s / 4 GB/s = 5 flops/byte: the MatMul (2*16384 flops over 12,288 bytes = 2.7)
  // and the Relu are both below it.
  ComputeResult r = analyze_compute(s.model(), lat, 2, peak, 4.0);
  EXPECT_EQ(r.cores_used, 2);
  EXPECT_DOUBLE_EQ(r.peak_gflops, 20);
  EXPECT_DOUBLE_EQ(r.ridge_flops_per_byte, 5);
  ASSERT_EQ(r.nodes.size(), 2u);
  const NodeCompute& mm = r.nodes[0];
  EXPECT_EQ(mm.op, "MatMul");
  EXPECT_EQ(mm.macs, 8 * 64 * 32);
  EXPECT_EQ(mm.flops, 2 * 8 * 64 * 32);
  EXPECT_EQ(mm.bytes, (8 * 64 + 64 * 32 + 8 * 32) * 4);
  EXPECT_DOUBLE_EQ(mm.gflops, static_cast<double>(mm.flops) / 0.5e6);
  EXPECT_EQ(mm.bound, "memory");
  EXPECT_EQ(r.total_flops, mm.flops + r.nodes[1].flops);
  EXPECT_DOUBLE_EQ(r.gflops, static_cast<double>(r.total_flops) / 1e6);
  EXPECT_DOUBLE_EQ(r.peak_fraction, r.gflops / 20);

  // A faster memory lowers the ridge below the MatMul's intensity: now it is compute-bound.
  ComputeResult fast_mem = analyze_compute(s.model(), lat, 2, peak, 20.0);
  EXPECT_EQ(fast_mem.nodes[0].bound, "compute");
  EXPECT_EQ(fast_mem.nodes[1].bound, "memory");
  // Without a bandwidth figure nothing is classified.
  EXPECT_EQ(analyze_compute(s.model(), lat, 2, peak, 0).nodes[0].bound, "unknown");
}

// Kiln's fused ops are costed as the op they replaced plus its epilogue, so an optimized model's
// achieved GFLOP/s is comparable with the original's: fusion changes no multiply-accumulate.
TEST(ProfileCompute, FusedModelHasTheOriginalsMacs) {
  const Model original = make_resnet_mini();
  Model fused = original.clone();
  passes::PassManager pm;
  passes::OptimizeReport rep = pm.run(fused, passes::Recipe::builtin("kiln"));
  ASSERT_LT(rep.nodes_after, rep.nodes_before);
  SessionOptions so;
  so.input_shapes["input"] = {1, 3, 64, 64};
  Session a(original, so), b(fused, so);
  int kiln_nodes = 0;
  b.model().graph->for_each_node([&](const Node* n) { kiln_nodes += n->domain == "ai.kiln"; });
  ASSERT_GT(kiln_nodes, 0);
  LatencyResult lat;
  ComputeResult ca = analyze_compute(a.model(), lat, 1, MachinePeak{}, 0);
  ComputeResult cb = analyze_compute(b.model(), lat, 1, MachinePeak{}, 0);
  EXPECT_EQ(cb.nodes_unknown, 0);
  EXPECT_EQ(cb.total_macs, ca.total_macs);
  EXPECT_GT(cb.total_flops, 2 * cb.total_macs);  // bias, residual and activation epilogues counted
  EXPECT_LE(cb.total_flops, ca.total_flops);     // batchnorms folded away
}

}  // namespace
}  // namespace kiln::profile
