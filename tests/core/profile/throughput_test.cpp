#include "core/profile/throughput.h"

#include <gtest/gtest.h>

#include "core/builder/model_builder.h"
#include "core/builder/sample_models.h"

namespace kiln::profile {
namespace {

ThroughputOptions quick(std::vector<int64_t> batches) {
  ThroughputOptions o;
  o.batches = std::move(batches);
  o.latency.warmup = 1;
  o.latency.min_iterations = 1;
  o.latency.max_iterations = 2;
  return o;
}

TEST(ProfileThroughput, SweepsTheSymbolicBatchDim) {
  Model m = make_resnet_mini();
  ThroughputResult r = sweep_batches(m, {}, {}, quick({1, 2}));
  ASSERT_EQ(r.batched_inputs, std::vector<std::string>{"input"});
  ASSERT_EQ(r.points.size(), 2u);
  for (const BatchPoint& p : r.points) {
    EXPECT_TRUE(p.ran);
    EXPECT_GT(p.inferences_per_s, 0);
    EXPECT_NEAR(p.inferences_per_s, static_cast<double>(p.batch) * 1000.0 / p.latency_ms.p50, 1e-9);
  }
  // Planned memory grows with the batch (not exactly 2x: the arena aligns each tensor to 64 bytes).
  EXPECT_GT(r.points[1].memory_bytes, r.points[0].memory_bytes);
  ASSERT_TRUE(r.best.has_value());
  Json j = r.to_json();
  EXPECT_EQ(j.find("best_batch")->as_int(), r.points[*r.best].batch);
}

TEST(ProfileThroughput, MemoryBoundStopsBeforeRunning) {
  Model m = make_resnet_mini();
  ThroughputResult one = sweep_batches(m, {}, {}, quick({1}));
  ThroughputOptions o = quick({1, 2, 4});
  o.memory_bound_bytes = one.points[0].memory_bytes + 1;  // batch 1 fits, batch 2 does not
  ThroughputResult r = sweep_batches(m, {}, {}, o);
  ASSERT_EQ(r.points.size(), 2u);
  EXPECT_TRUE(r.points[0].ran);
  EXPECT_FALSE(r.points[1].ran);
  EXPECT_NE(r.points[1].stopped.find("over the bound"), std::string::npos);
  EXPECT_EQ(r.points[*r.best].batch, 1);
}

TEST(ProfileThroughput, LatencyBoundBelowAnyRunLeavesNoBestBatch) {
  Model m = make_resnet_mini();
  ThroughputOptions o = quick({1, 2});
  o.latency_bound_ms = 1e-9;
  ThroughputResult r = sweep_batches(m, {}, {}, o);
  ASSERT_EQ(r.points.size(), 1u);  // batch 1 is already over: the sweep stops there
  EXPECT_FALSE(r.best.has_value());
  EXPECT_TRUE(r.to_json().find("best_batch")->is_null());
}

TEST(ProfileThroughput, ABroadcastDimIsNotABatch) {
  // x's dim 0 is 1 but broadcasts against y's 3: batch 2 cannot run, and the sweep says so.
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{1, 4});
  Value* y = b.input("y", DataType::Float32, std::vector<int64_t>{3, 4});
  b.output(b.op("Add", {x, y}));
  Model m = b.take();
  ThroughputResult r = sweep_batches(m, {}, {}, quick({1, 2, 4}));
  ASSERT_EQ(r.points.size(), 2u);
  EXPECT_TRUE(r.points[0].ran);
  EXPECT_FALSE(r.points[1].ran);
  EXPECT_NE(r.points[1].stopped.find("batch 2 does not run"), std::string::npos) << r.points[1].stopped;
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(r.points[*r.best].batch, 1);
}

}  // namespace
}  // namespace kiln::profile
