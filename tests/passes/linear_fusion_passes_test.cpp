// Properties of the linear-algebra fusions and the merge passes the golden fixtures cannot show
// on their own: one run reaches what the pass can do (a second changes nothing), and a large
// graph goes through all of them in linear time.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/analysis/shape_inference.h"
#include "core/ir/text_format.h"
#include "passes/framework/pass_manager.h"
#include "tests/passes/fixture_files.h"

namespace kiln::passes {
namespace {

namespace fs = std::filesystem;

const std::array<const char*, 10> kPasses = {
    "fuse-conv-batchnorm",      "batchnorm-to-scale",       "fuse-conv-scale-bias", "fuse-pad-into-conv",
    "fuse-matmul-add-into-gemm", "fuse-transpose-into-gemm", "merge-transposes",     "merge-reshapes",
    "merge-slices",             "merge-concats"};

const PassDef& pass(const std::string& id) {
  const PassDef* def = PassRegistry::global().find(id);
  if (!def) throw std::runtime_error("no pass " + id);
  return *def;
}

std::vector<fs::path> fixtures() { return testing::fixture_files(kPasses, false); }

class LinearFusionFixture : public ::testing::TestWithParam<fs::path> {};

TEST_P(LinearFusionFixture, SecondRunChangesNothing) {
  const PassDef& def = pass(GetParam().parent_path().filename().string());
  Model m = parse_model_text(testing::fixture_before(GetParam()));
  PassManager pm;
  ASSERT_TRUE(pm.apply(m, def, def.info.default_options()).changed) << GetParam();
  const std::string once = print_model(m);
  EXPECT_FALSE(pm.apply(m, def, def.info.default_options()).changed) << GetParam() << ":\n" << once << "became\n" << print_model(m);
}

INSTANTIATE_TEST_SUITE_P(LinearFusion, LinearFusionFixture, ::testing::ValuesIn(fixtures()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string s = info.param.parent_path().filename().string() + "_" + info.param.stem().string();
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

// One block has something for every pass: Pad into Conv, BatchNormalization and a per-channel
// Mul/Add into its weights, two Transposes that cancel, two Reshapes, nested Concats, two Slices,
// MatMul + Add into Gemm and a Transposed MatMul input into transA. 19 nodes, 8 after: Conv,
// Reshape, Concat, Slice, Reshape, Gemm, Gemm, Reshape.
std::string large_model(int blocks) {
  std::ostringstream s;
  s << "model ir_version=8\nopset \"\" 17\ngraph \"g\" (%h0: f32[1,2,4,4]) -> (%h" << blocks << ": f32[1,2,4,4]) {\n"
    << "  init %pads: i64[8] = [0, 0, 1, 1, 0, 0, 1, 1]\n"
    << "  init %w: f32[2,2,3,3] = [" ;
  for (int i = 0; i < 36; ++i) s << (i ? ", " : "") << (i % 7 - 3) * 0.1;
  s << "]\n"
    << "  init %gamma: f32[2] = [1, 0.5]\n  init %beta: f32[2] = [0.1, -0.1]\n"
    << "  init %mean: f32[2] = [0.2, -0.2]\n  init %var: f32[2] = [1, 2]\n"
    << "  init %scale: f32[2,1,1] = [2, 3]\n  init %shift: f32[2,1,1] = [0.5, -0.5]\n"
    << "  init %flat: i64[2] = [1, 32]\n  init %nchw: i64[4] = [1, 2, 4, 4]\n  init %mat: i64[2] = [8, 4]\n"
    << "  init %zero: i64[1] = [0]\n  init %two: i64[1] = [2]\n  init %four: i64[1] = [4]\n"
    << "  init %ax1: i64[1] = [1]\n  init %ax2: i64[1] = [2]\n"
    << "  init %wm: f32[4,4] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]\n  init %bm: f32[4] = [1, 2, 3, 4]\n"
    << "  init %wt: f32[8,8] = [";
  for (int i = 0; i < 64; ++i) s << (i ? ", " : "") << (i % 9 == 0 ? 1 : 0);
  s << "]\n";
  for (int b = 0; b < blocks; ++b) {
    const std::string in = "%h" + std::to_string(b), p = "%b" + std::to_string(b) + "_";
    s << "  " << p << "pad = Pad(" << in << ", %pads)\n"
      << "  " << p << "conv = Conv(" << p << "pad, %w)\n"
      << "  " << p << "bn = BatchNormalization(" << p << "conv, %gamma, %beta, %mean, %var)\n"
      << "  " << p << "mul = Mul(" << p << "bn, %scale)\n"
      << "  " << p << "add = Add(" << p << "mul, %shift)\n"
      << "  " << p << "t1 = Transpose(" << p << "add) {perm=[0, 2, 3, 1]}\n"
      << "  " << p << "t2 = Transpose(" << p << "t1) {perm=[0, 3, 1, 2]}\n"
      << "  " << p << "r1 = Reshape(" << p << "t2, %flat)\n"
      << "  " << p << "r2 = Reshape(" << p << "r1, %nchw)\n"
      << "  " << p << "k1 = Concat(" << p << "r2, " << p << "r2) {axis=1}\n"
      << "  " << p << "k2 = Concat(" << p << "k1, " << p << "r2) {axis=1}\n"
      << "  " << p << "s1 = Slice(" << p << "k2, %zero, %two, %ax1)\n"
      << "  " << p << "s2 = Slice(" << p << "s1, %zero, %four, %ax2)\n"
      << "  " << p << "m = Reshape(" << p << "s2, %mat)\n"
      << "  " << p << "mm = MatMul(" << p << "m, %wm)\n"
      << "  " << p << "mb = Add(" << p << "mm, %bm)\n"
      << "  " << p << "tr = Transpose(" << p << "mb) {perm=[1, 0]}\n"
      << "  " << p << "mt = MatMul(" << p << "tr, %wt)\n"
      << "  %h" << b + 1 << " = Reshape(" << p << "mt, %nchw)\n";
  }
  s << "}\n";
  return s.str();
}

// Each pass once over a 100,000-node graph with shapes inferred before it: every block rewrites
// as on a small one (timings are measured by tests/bench/bench_passes, not asserted here).
TEST(LinearFusionPasses, HundredThousandNodes) {
  Model m = parse_model_text(large_model(5264));
  ASSERT_GE(m.graph->node_count(), 100000u);
  for (const char* id : kPasses) {
    infer_shapes(m, {});
    const PassDef& def = pass(id);
    const Options options = def.info.default_options();
    Rewriter rw(m);
    Stats stats(def.info);
    PassContext ctx{m, rw, options, stats};
    def.run(ctx);
    // batchnorm-to-scale finds nothing: fuse-conv-batchnorm took every BatchNormalization.
    EXPECT_EQ(rw.changed(), std::string(id) != "batchnorm-to-scale") << id;
    for (Graph* g : rw.graphs()) ASSERT_TRUE(g->topological_sort()) << id;
  }
  EXPECT_TRUE(m.graph->verify().empty());
  EXPECT_EQ(m.graph->node_count(), 5264u * 8);
}

}  // namespace
}  // namespace kiln::passes
