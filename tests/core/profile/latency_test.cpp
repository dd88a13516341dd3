#include "core/profile/latency.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <set>

#include "core/builder/sample_models.h"
#include "passes/framework/pass_manager.h"

namespace kiln::profile {
namespace {

LatencyOptions quick() {
  LatencyOptions o;
  o.warmup = 1;
  o.min_iterations = 2;
  o.max_iterations = 3;
  o.check_every = 1;
  o.per_node_iterations = 2;
  return o;
}

SessionOptions batch1() {
  SessionOptions so;
  so.input_shapes["input"] = {1, 3, 64, 64};
  return so;
}

TEST(ProfileLatency, EndToEndStopsAtTheIterationCap) {
  Model m = make_resnet_mini();
  Session s(m, batch1());
  LatencyOptions o = quick();
  o.per_node = false;
  o.stable_pct = -1;  // never stable: runs to the cap
  LatencyResult r = measure_latency(s, random_sample(*m.graph, batch1().input_shapes, 0), o);
  EXPECT_EQ(r.iterations, 3);
  EXPECT_EQ(r.end_to_end.count, 3u);
  EXPECT_FALSE(r.stable);
  EXPECT_NE(r.stop_reason.find("fixed count of 3 runs"), std::string::npos) << r.stop_reason;
  EXPECT_LE(r.end_to_end.min, r.end_to_end.p50);
  EXPECT_LE(r.end_to_end.p50, r.end_to_end.max);
  EXPECT_FALSE(r.per_node);
  EXPECT_TRUE(r.nodes.empty());
  // Every timed run is kept, in order, for the distribution (the GUI's histogram).
  ASSERT_EQ(r.runs_ms.size(), 3u);
  EXPECT_EQ(*std::min_element(r.runs_ms.begin(), r.runs_ms.end()), r.end_to_end.min);
  EXPECT_EQ(*std::max_element(r.runs_ms.begin(), r.runs_ms.end()), r.end_to_end.max);
  EXPECT_EQ(r.to_json().find("runs_ms")->size(), 3u);
}

TEST(ProfileLatency, PerNodeCoversEveryNodeOnceAndGroupsByOp) {
  Model m = make_resnet_mini();
  Session s(m, batch1());
  LatencyResult r = measure_latency(s, random_sample(*m.graph, batch1().input_shapes, 0), quick());
  ASSERT_TRUE(r.per_node);
  EXPECT_EQ(r.nodes.size(), m.graph->node_count());
  std::set<NodeId> ids;
  double sum = 0;
  for (const NodeTime& t : r.nodes) {
    ids.insert(t.id);
    sum += t.mean_ms;
    EXPECT_GE(t.mean_ms, 0.0);
  }
  EXPECT_EQ(ids.size(), r.nodes.size());
  EXPECT_NEAR(sum, r.node_sum_ms, 1e-9);
  int64_t grouped = 0;
  double op_sum = 0, pct = 0;
  for (const GroupTime& g : r.by_op) {
    grouped += g.nodes;
    op_sum += g.ms;
    pct += g.pct;
  }
  EXPECT_EQ(grouped, static_cast<int64_t>(r.nodes.size()));
  EXPECT_NEAR(op_sum, r.node_sum_ms, 1e-9);
  EXPECT_NEAR(pct, 100.0, 1e-6);
  for (size_t i = 1; i < r.by_op.size(); ++i) EXPECT_GE(r.by_op[i - 1].ms, r.by_op[i].ms);
  // An unoptimized model: one original node per node, named after itself.
  EXPECT_EQ(r.by_original.size(), r.nodes.size());
  EXPECT_GT(r.observer_ns_per_call, 0.0);
  EXPECT_EQ(r.observed.count, 2u);
  EXPECT_EQ(r.unobserved.count, 2u);
}

TEST(ProfileLatency, FusedNodeTimeIsSplitOverTheOriginalNodesItReplacedByFlops) {
  const Model original = make_resnet_mini();
  Model fused = original.clone();
  passes::PassManager pm;
  const passes::PassDef* def = passes::PassRegistry::global().find("fuse-conv-batchnorm");
  ASSERT_NE(def, nullptr);
  ASSERT_TRUE(pm.apply(fused, *def, def->info.default_options()).changed);
  ASSERT_LT(fused.graph->node_count(), original.graph->node_count());

  Session s(fused, batch1());
  const OriginalGraph og = original_graph(original, batch1().input_shapes);
  LatencyResult r = measure_latency(s, random_sample(*fused.graph, batch1().input_shapes, 0), quick(), &og);
  ASSERT_TRUE(r.per_node);

  std::map<std::string, const GroupTime*> by_id;
  double total = 0;
  for (const GroupTime& g : r.by_original) {
    by_id[g.key] = &g;
    total += g.ms;
  }
  EXPECT_NEAR(total, r.node_sum_ms, 1e-9);  // the split loses no time

  int fused_nodes = 0;
  for (const NodeTime& t : r.nodes) {
    if (t.provenance.size() < 2) continue;
    ++fused_nodes;
    // Every original node of a fused node is listed with its own name and op type from the
    // original graph, and gets a share of the fused node's time in proportion to its FLOPs.
    double flops_sum = 0;
    for (NodeId id : t.provenance) {
      ASSERT_TRUE(og.flops.count(id)) << "cost of original node " << id;
      flops_sum += static_cast<double>(og.flops.at(id));
    }
    std::set<std::string> ops;
    for (NodeId id : t.provenance) {
      auto it = by_id.find(std::to_string(id));
      ASSERT_NE(it, by_id.end()) << "original node " << id;
      const Node* on = original.graph->find_node(id);
      ASSERT_NE(on, nullptr);
      EXPECT_EQ(it->second->name, on->name);
      EXPECT_EQ(it->second->op, on->op_type);
      EXPECT_NEAR(it->second->ms, t.mean_ms * static_cast<double>(og.flops.at(id)) / flops_sum, 1e-12);
      ops.insert(on->op_type);
    }
    EXPECT_TRUE(ops.count("Conv") && ops.count("BatchNormalization")) << t.name;
  }
  EXPECT_EQ(fused_nodes, 10);  // resnet_mini has ten Conv + BatchNormalization pairs
  // Original nodes absent from the fused model (the batchnorms) still appear, through provenance.
  EXPECT_GT(r.by_original.size(), r.nodes.size());
}

TEST(ProfileLatency, OriginalGraphCostsFollowTheProfiledShapes) {
  const Model original = make_resnet_mini();  // batch is symbolic in the file
  const OriginalGraph b1 = original_graph(original, batch1().input_shapes);
  const OriginalGraph b2 = original_graph(original, {{"input", {2, 3, 64, 64}}});
  const Node* conv = nullptr;
  original.graph->for_each_node([&](const Node* n) {
    if (!conv && n->op_type == "Conv") conv = n;
  });
  ASSERT_NE(conv, nullptr);
  ASSERT_TRUE(b1.flops.count(conv->id()) && b2.flops.count(conv->id()));
  EXPECT_GT(b1.flops.at(conv->id()), 0);
  EXPECT_EQ(b2.flops.at(conv->id()), 2 * b1.flops.at(conv->id()));
}

}  // namespace
}  // namespace kiln::profile
