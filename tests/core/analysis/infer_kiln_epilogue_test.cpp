// Shape rules of Kiln's fused epilogue and attention ops (core/ir/kiln_epilogue_ops.h).
#include <gtest/gtest.h>

#include "core/ir/kiln_domain.h"
#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using testing::D;
using testing::S;
using testing::TestModel;
using testing::U;

Value* kiln_op(TestModel& t, const std::string& op, std::vector<Value*> inputs, const std::string& out,
               std::vector<Attribute> attrs = {}) {
  Node* n = t.g.add_node(op, inputs, {out}, std::string(kKilnDomain));
  for (Attribute& a : attrs) n->set_attr(std::move(a));
  return n->output(0);
}

TestModel kiln_model() {
  TestModel t;
  t.model.set_opset(kKilnDomain, kKilnOpsetVersion);
  return t;
}

TEST(InferKilnEpilogue, FusedOpsHaveTheirBaseOpsShape) {
  TestModel t = kiln_model();
  Value* x = t.in_f32("x", {S("n"), D(3), D(8), D(8)});
  Value* w = t.f32("w", {4, 3, 3, 3});
  Value* z = t.in_f32("z", {S("n"), D(4), D(4), D(4)});
  kiln_op(t, "FusedConv", {x, w, nullptr, z}, "conv",
          {Attribute::make_ints("pads", {1, 1, 1, 1}), Attribute::make_ints("strides", {2, 2}),
           Attribute::make_string("activation", "Relu")});
  Value* a = t.in_f32("a", {D(5), D(3)});
  Value* b = t.f32("b", {4, 3});
  kiln_op(t, "FusedGemm", {a, b}, "gemm",
          {Attribute::make_int("transB", 1), Attribute::make_string("activation", "Clip"),
           Attribute::make_floats("activation_params", {0.f, 6.f})});
  Value* h = t.in_f32("h", {S("batch"), U(), D(3)});
  kiln_op(t, "FusedMatMul", {h, t.f32("w1", {3, 4}), t.f32("bias", {4})}, "mm",
          {Attribute::make_string("activation", "Gelu")});
  auto report = t.infer();
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  EXPECT_EQ(t.type("conv"), "f32[n,4,4,4]");
  EXPECT_EQ(t.type("gemm"), "f32[5,4]");
  EXPECT_EQ(t.type("mm"), "f32[batch,?,4]");
}

TEST(InferKilnEpilogue, FusedMatMulResidualBroadcastsAsAdd) {
  TestModel t = kiln_model();
  Value* h = t.in_f32("h", {S("batch"), U(), D(3)});
  Value* w = t.f32("w", {3, 4});
  kiln_op(t, "FusedMatMul", {h, w, t.f32("bias", {4}), t.in_f32("res", {S("batch"), S("seq"), D(4)})}, "y");
  kiln_op(t, "FusedMatMul", {t.in_f32("a", {D(2), D(3)}), w, nullptr, t.in_f32("big", {D(5), D(1), D(4)})}, "grown");
  auto report = t.infer();
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(t.type("y"), "f32[batch,?,4]");  // as Add infers an unknown dim against a named one
  EXPECT_EQ(t.type("grown"), "f32[5,2,4]");
}

TEST(InferKilnEpilogue, AttentionPerHeadAndWithHeads) {
  TestModel t = kiln_model();
  Value* q = t.in_f32("q", {S("b"), D(4), S("s"), D(16)});
  Value* kt = t.in_f32("kt", {S("b"), D(4), D(16), S("t")});
  Value* v = t.in_f32("v", {S("b"), D(4), S("t"), D(8)});
  Value* mask = t.in_f32("mask", {S("b"), D(1), D(1), S("t")});
  kiln_op(t, "Attention", {q, kt, v, mask}, "per_head", {Attribute::make_int("k_transposed", 1)});
  Value* k = t.in_f32("k", {S("b"), D(4), S("t"), D(16)});
  kiln_op(t, "Attention", {q, k, v}, "k_rows", {Attribute::make_float("scale", 0.25f)});
  Value* hq = t.in_f32("hq", {S("b"), S("s"), D(64)});
  Value* hk = t.in_f32("hk", {S("b"), S("t"), D(64)});
  Value* hv = t.in_f32("hv", {S("b"), S("t"), D(32)});
  kiln_op(t, "Attention", {hq, hk, hv, mask}, "merged", {Attribute::make_int("num_heads", 4)});
  auto report = t.infer();
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  EXPECT_EQ(t.type("per_head"), "f32[b,4,s,8]");
  EXPECT_EQ(t.type("k_rows"), "f32[b,4,s,8]");
  EXPECT_EQ(t.type("merged"), "f32[b,s,32]");
}

TEST(InferKilnEpilogue, WarnsOnWhatTheOpsDoNotDefine) {
  TestModel t = kiln_model();
  Value* a = t.in_f32("a", {D(2), D(3)});
  kiln_op(t, "FusedMatMul", {a, t.f32("w", {3, 4})}, "y", {Attribute::make_string("activation", "Swish")});
  kiln_op(t, "FusedMatMul", {a, t.f32("w2", {3, 4})}, "y2", {Attribute::make_string("activation", "LeakyRelu")});
  Value* h = t.in_f32("h", {D(1), D(5), D(10)});
  kiln_op(t, "Attention", {h, h, h}, "att", {Attribute::make_int("num_heads", 4)});
  auto report = t.infer();
  EXPECT_EQ(report.warnings.size(), 3u);
}

}  // namespace
}  // namespace kiln
