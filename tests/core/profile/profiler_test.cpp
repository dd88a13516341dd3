#include "core/profile/profiler.h"

#include <gtest/gtest.h>

#include "core/builder/sample_models.h"
#include "core/util/error.h"

namespace kiln::profile {
namespace {

ProfileOptions quick() {
  ProfileOptions o;
  o.latency.warmup = 1;
  o.latency.min_iterations = 1;
  o.latency.max_iterations = 2;
  o.latency.per_node_iterations = 1;
  o.sweep.batches = {1, 2};
  o.sweep.latency = o.latency;
  o.energy = false;
  o.random_samples = 2;
  return o;
}

TEST(Profiler, FullReportOfAModelAgainstItself) {
  const Model m = make_resnet_mini();
  Report r = profile_model(m, "resnet_mini", &m, "resnet_mini", quick());
  EXPECT_EQ(r.backend, "ref");
  const SummaryCard& c = r.card;
  ASSERT_TRUE(c.p50_ms && c.p90_ms && c.p99_ms && c.spread_ms);
  EXPECT_LE(*c.p50_ms, *c.p90_ms);
  EXPECT_EQ(*c.p50_ms, r.sections.find("latency")->find("end_to_end")->find("p50")->as_double());
  ASSERT_TRUE(c.weights_bytes && c.peak_activation_bytes && c.file_bytes && c.peak_rss_bytes);
  ASSERT_TRUE(c.best_batch.has_value());
  EXPECT_TRUE(*c.best_batch == 1 || *c.best_batch == 2);
  // The same model on the same inputs: bit-identical outputs.
  EXPECT_TRUE(c.accuracy_measured);
  EXPECT_EQ(*c.max_abs_error, 0.0);
  EXPECT_EQ(*c.min_cosine, 1.0);
  EXPECT_FALSE(c.min_snr_db.has_value());  // infinite: identical outputs
  EXPECT_EQ(*c.top1_agreement, 1.0);
  EXPECT_FALSE(c.energy_available);
  EXPECT_FALSE(c.joules_per_inference.has_value());
  for (const char* k : {"machine", "inputs", "latency", "memory", "compute", "energy", "throughput", "accuracy"})
    EXPECT_NE(r.sections.find(k), nullptr) << k;
  EXPECT_EQ(r.sections.find("accuracy")->find("samples")->as_int(), 2);
  // The report reads back as it was written.
  EXPECT_EQ(Report::from_json(Json::parse(r.to_json().dump(-1))).card, r.card);
}

TEST(Profiler, AssumedDimsAreRecorded) {
  ProfileOptions o = quick();
  o.throughput = false;
  o.compute = false;
  Report r = profile_model(make_resnet_mini(), "resnet_mini", nullptr, "", o);
  const Json* inputs = r.sections.find("inputs");
  ASSERT_NE(inputs, nullptr);
  ASSERT_EQ(inputs->find("assumed")->size(), 1u);  // the symbolic batch dim
  EXPECT_EQ(inputs->find("shapes")->find("input")->size(), 4u);
  EXPECT_FALSE(r.card.accuracy_measured);
  EXPECT_EQ(r.sections.find("compute"), nullptr);
  EXPECT_EQ(r.sections.find("throughput"), nullptr);
}

TEST(Profiler, CudaIsRefusedWithTheReason) {
  ProfileOptions o = quick();
  o.session.backend = Backend::Cuda;
  try {
    profile_model(make_resnet_mini(), "resnet_mini", nullptr, "", o);
    FAIL() << "cuda has no kernels: the profile must refuse";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA kernels"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::profile
