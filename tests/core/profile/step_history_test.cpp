#include "core/profile/step_history.h"

#include <gtest/gtest.h>

#include "core/builder/sample_models.h"
#include "passes/framework/pass_manager.h"

namespace kiln::profile {
namespace {

TEST(ProfileStepHistory, OneReportPerStepAndATableAgainstTheOriginal) {
  const Model original = make_resnet_mini();
  passes::PassManager pm;
  const passes::PassDef* fuse = passes::PassRegistry::global().find("fuse-conv-batchnorm");
  ASSERT_NE(fuse, nullptr);
  std::vector<Step> steps = {
      {"fuse-conv-batchnorm", [&](Model& m) { return pm.apply(m, *fuse, fuse->info.default_options()).changed; }},
      {"nothing", [](Model&) { return false; }},
  };
  ProfileOptions o;
  o.session.input_shapes["input"] = {1, 3, 64, 64};
  o.latency.warmup = 1;
  o.latency.min_iterations = 1;
  o.latency.max_iterations = 2;
  o.latency.per_node_iterations = 1;
  o.throughput = false;
  o.energy = false;
  o.compute = false;
  o.random_samples = 1;

  StepHistory h = profile_steps(original, "resnet_mini", steps, o);
  ASSERT_EQ(h.rows.size(), 3u);
  ASSERT_EQ(h.reports.size(), 3u);
  EXPECT_EQ(h.rows[0].name, "original");
  EXPECT_EQ(h.rows[0].nodes, 65);
  EXPECT_FALSE(h.rows[0].max_abs_error.has_value());  // nothing to compare the original with

  EXPECT_TRUE(h.rows[1].changed);
  EXPECT_EQ(h.rows[1].nodes, 55);  // ten batchnorms folded
  ASSERT_TRUE(h.rows[1].max_abs_error.has_value());
  EXPECT_LT(*h.rows[1].max_abs_error, 1e-4);  // an exact rewrite: float rounding only
  EXPECT_GT(*h.rows[1].min_cosine, 0.999999);
  ASSERT_TRUE(h.rows[1].latency_change_pct.has_value());
  EXPECT_TRUE(h.reports[1].card.accuracy_measured);

  EXPECT_FALSE(h.rows[2].changed);
  EXPECT_EQ(h.rows[2].nodes, 55);
  EXPECT_EQ(h.rows[2].p50_ms, h.rows[1].p50_ms);  // unchanged: the previous figures, not a new sample

  Json j = h.to_json();
  EXPECT_EQ(j.find("version")->as_int(), 1);
  EXPECT_EQ(j.find("table")->size(), 3u);
  EXPECT_EQ(j.find("reports")->size(), 3u);
  EXPECT_NE(h.table().find("fuse-conv-batchnorm"), std::string::npos);
}

}  // namespace
}  // namespace kiln::profile
