#include "core/runtime/memory_plan.h"

#include <gtest/gtest.h>

#include <random>

#include "core/analysis/shape_inference.h"
#include "core/builder/model_builder.h"
#include "core/onnx/onnx_import.h"
#include "tests/core/runtime/runtime_test_util.h"

namespace kiln {
namespace {

// Every pair of buffers alive at a common step must occupy disjoint bytes.
void expect_no_overlap(const std::vector<Lifetime>& l, const ArenaLayout& a) {
  for (size_t i = 0; i < l.size(); ++i)
    for (size_t j = i + 1; j < l.size(); ++j) {
      bool same_time = l[i].first <= l[j].last && l[j].first <= l[i].last;
      bool same_bytes = a.offsets[i] < a.offsets[j] + l[j].size && a.offsets[j] < a.offsets[i] + l[i].size;
      ASSERT_FALSE(same_time && same_bytes && l[i].size && l[j].size) << "buffers " << i << " and " << j;
    }
  for (size_t i = 0; i < l.size(); ++i) EXPECT_LE(a.offsets[i] + l[i].size, a.peak_bytes);
}

TEST(MemoryPlan, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    size_t n = rng() % 60 + 1, steps = rng() % 40 + 1;
    std::vector<Lifetime> l;
    for (size_t i = 0; i < n; ++i) {
      size_t a = rng() % steps, b = rng() % steps;
      l.push_back({(rng() % 100 + 1) * kArenaAlignment, std::min(a, b), std::max(a, b)});
    }
    ArenaLayout a = assign_offsets(l);
    expect_no_overlap(l, a);
    EXPECT_GE(a.peak_bytes, a.live_peak_bytes);
  }
}

TEST(MemoryPlan, ChainReusesMemory) {
  // a -> b -> c -> d: each buffer dies when the next is made, so two slots suffice.
  std::vector<Lifetime> l = {{256, 0, 1}, {256, 1, 2}, {256, 2, 3}, {256, 3, 3}};
  ArenaLayout a = assign_offsets(l);
  EXPECT_EQ(a.live_peak_bytes, 512u);
  EXPECT_EQ(a.peak_bytes, 512u);
}

TEST(MemoryPlan, BundledSamplesArePackedTightly) {
  auto files = testing::sample_files();
  if (files.empty()) GTEST_SKIP() << "no samples in " << KILN_SAMPLES_DIR;
  for (const auto& path : files) {
    Model m = load_model(path.string());
    InferenceOptions io;
    for (const auto& [name, dims] : testing::concrete_input_shapes(m)) io.input_shapes[name] = Shape::of(dims);
    infer_shapes(m, io);
    std::optional<MemoryPlan> plan = plan_memory(m.graph->nodes());
    ASSERT_TRUE(plan) << path << ": some intermediate shape is not static";
    std::vector<Lifetime> l;
    ArenaLayout a;
    for (const PlannedTensor& t : plan->tensors) {
      l.push_back({t.size, t.first, t.last});
      a.offsets.push_back(t.offset);
      EXPECT_EQ(t.offset % kArenaAlignment, 0u);
    }
    a.peak_bytes = plan->peak_bytes;
    expect_no_overlap(l, a);
    EXPECT_LE(static_cast<double>(plan->peak_bytes), 1.10 * static_cast<double>(plan->live_peak_bytes)) << path;
    std::printf("%-20s %zu tensors, arena %zu bytes, live peak %zu bytes (%.3f)\n", path.stem().c_str(),
                plan->tensors.size(), plan->peak_bytes, plan->live_peak_bytes,
                plan->live_peak_bytes ? static_cast<double>(plan->peak_bytes) / static_cast<double>(plan->live_peak_bytes) : 1.0);
  }
}

TEST(MemoryPlan, DynamicShapesHaveNoPlan) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<Dim>{Dim::symbolic("batch"), Dim::known(4)});
  Value* y = b.op("Relu", {x});
  b.output(b.op("Relu", {y}));
  Model m = b.take();
  infer_shapes(m);
  EXPECT_FALSE(plan_memory(m.graph->nodes()));
}

TEST(MemoryPlan, GraphOutputsAndInputsStayOutOfTheArena) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2, 8});
  Value* y = b.op("Relu", {x});
  Value* z = b.op("Relu", {y});
  b.output(z);
  Model m = b.take();
  infer_shapes(m);
  auto plan = plan_memory(m.graph->nodes());
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->tensors.size(), 1u);
  EXPECT_EQ(plan->tensors[0].value, y);
  EXPECT_EQ(plan->tensors[0].size, 64u);
  EXPECT_EQ(plan->find(z), nullptr);
  EXPECT_EQ(plan->find(x), nullptr);
}

}  // namespace
}  // namespace kiln
