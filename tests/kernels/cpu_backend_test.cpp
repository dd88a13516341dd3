// Backend::Cpu against Backend::Ref: every bound op with the attribute values and broadcasts
// that pick different code paths (and those that fall back to Ref), threads 1 and 2, and whole
// models: the bundled samples as imported and after the "kiln" recipe (fused ops).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "core/builder/model_builder.h"
#include "core/ir/kiln_domain.h"
#include "core/onnx/onnx_import.h"
#include "core/runtime/random_inputs.h"
#include "core/runtime/session.h"
#include "passes/framework/pass_manager.h"

namespace kiln {
namespace {

using A = Attribute;

// Inputs of fixed shape (unknown dims: batch 1, others 16), seeded.
std::map<std::string, RtTensor> inputs_for(const Session& s) {
  std::map<std::string, RtTensor> in;
  std::mt19937_64 rng(7);
  for (const Value* v : s.model().graph->inputs()) {
    if (v->initializer()) continue;
    std::vector<int64_t> dims;
    for (const Dim& d : v->type.shape->dims) dims.push_back(d.is_known() ? d.value : 1);
    in[v->name()] = random_tensor(v->type.dtype, dims, rng, v->name());
  }
  return in;
}

std::map<std::string, std::vector<int64_t>> shapes_of(const Model& m) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const Value* v : m.graph->inputs()) {
    if (v->initializer() || !v->type.shape) continue;
    std::vector<int64_t> dims;
    for (const Dim& d : v->type.shape->dims)
      dims.push_back(d.is_known() ? d.value : d.symbol.find("batch") != std::string::npos ? 1 : 16);
    out[v->name()] = dims;
  }
  return out;
}

void expect_same(const Model& m, const std::string& what, double tol = 2e-4) {
  SessionOptions ro;
  ro.input_shapes = shapes_of(m);
  Session ref(m, ro);
  const auto inputs = inputs_for(ref);
  const std::vector<RtTensor> want = ref.run(inputs);
  for (int threads : {1, 2}) {
    SessionOptions co = ro;
    co.backend = Backend::Cpu;
    co.threads = threads;
    Session cpu(m, co);
    for (int run = 0; run < 2; ++run) {  // the second run uses the weights packed by the first
      const std::vector<RtTensor> got = cpu.run(inputs);
      ASSERT_EQ(got.size(), want.size()) << what;
      for (size_t o = 0; o < got.size(); ++o) {
        ASSERT_EQ(got[o].shape(), want[o].shape()) << what;
        const std::vector<double> g = got[o].to_tensor("g")->to_double(), w = want[o].to_tensor("w")->to_double();
        double scale = 1;
        for (double v : w) scale = std::max(scale, std::fabs(v));
        for (size_t i = 0; i < g.size(); ++i)
          ASSERT_NEAR(g[i], w[i], tol * scale) << what << " output " << o << " at " << i << " threads " << threads;
      }
    }
  }
}

Model one_op(const std::string& op, const std::vector<std::vector<int64_t>>& in_shapes, std::vector<A> attrs,
             int64_t opset = 20, const std::string& domain = "", const std::vector<bool>& constant = {}) {
  ModelBuilder b("g", opset);
  std::vector<Value*> ins;
  for (size_t i = 0; i < in_shapes.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    if (in_shapes[i].empty() && i > 0 && constant.size() > i && constant[i]) {
      ins.push_back(nullptr);
      continue;
    }
    ins.push_back(constant.size() > i && constant[i] ? b.random_init(name, in_shapes[i], 0.5f)
                                                     : b.input(name, DataType::Float32, in_shapes[i]));
  }
  b.output(b.op(op, ins, std::move(attrs), "n", domain));
  Model m = b.take();
  if (!domain.empty()) m.set_opset(kKilnDomain, kKilnOpsetVersion);
  return m;
}

TEST(CpuBackend, Gemm) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int c = 0; c < 5; ++c)
        for (bool b_const : {false, true}) {
          const int64_t m = 7, k = 19, n = 13;
          std::vector<std::vector<int64_t>> shapes = {ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k},
                                                      tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}};
          const std::vector<std::vector<int64_t>> cs = {{}, {n}, {m, 1}, {m, n}, {1}};
          if (c > 0) shapes.push_back(cs[static_cast<size_t>(c)]);
          expect_same(one_op("Gemm", shapes,
                             {A::make_int("transA", ta), A::make_int("transB", tb), A::make_float("alpha", 0.7f),
                              A::make_float("beta", c == 4 ? 0.f : 1.3f)},
                             13, "", {false, b_const, c % 2 == 0}),
                      "Gemm ta=" + std::to_string(ta) + " tb=" + std::to_string(tb) + " c=" + std::to_string(c));
        }
}

TEST(CpuBackend, MatMulBatchesAndBroadcasts) {
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cases = {
      {{2, 3, 5, 7}, {7, 4}}, {{2, 1, 5, 7}, {3, 7, 4}}, {{7}, {2, 7, 3}}, {{2, 5, 7}, {7}},
      {{1, 17}, {17, 9}},     {{4, 6, 33}, {4, 33, 18}}, {{3, 0, 4}, {4, 5}}};
  for (const auto& [a, b] : cases)
    for (bool b_const : {false, true}) expect_same(one_op("MatMul", {a, b}, {}, 13, "", {false, b_const}), "MatMul");
}

TEST(CpuBackend, FusedOps) {
  const std::string d(kKilnDomain);
  for (const char* act : {"", "Relu", "Gelu", "GeluTanh", "Silu", "HardSwish", "Sigmoid", "Tanh"}) {
    const std::vector<A> attrs = {A::make_string("activation", act)};
    expect_same(one_op("FusedMatMul", {{2, 9, 21}, {21, 10}, {10}, {2, 9, 10}}, attrs, 20, d, {false, true, true, false}),
                std::string("FusedMatMul residual ") + act);
    expect_same(one_op("FusedMatMul", {{9, 21}, {21, 10}, {10}, {10}}, attrs, 20, d, {false, true, true, true}),
                std::string("FusedMatMul row residual ") + act);
    expect_same(one_op("FusedGemm", {{9, 21}, {10, 21}, {10}},
                       {A::make_string("activation", act), A::make_int("transB", 1)}, 20, d, {false, true, true}),
                std::string("FusedGemm ") + act);
    expect_same(one_op("FusedConv", {{1, 6, 9, 11}, {8, 6, 3, 3}, {8}, {1, 8, 5, 6}},
                       {A::make_string("activation", act), A::make_ints("pads", {1, 1, 1, 1}),
                        A::make_ints("strides", {2, 2})},
                       20, d, {false, true, true, false}),
                std::string("FusedConv ") + act);
  }
  expect_same(one_op("FusedConv", {{1, 8, 9, 9}, {8, 1, 3, 3}, {8}},
                     {A::make_string("activation", "Clip"), A::make_floats("activation_params", {0.f, 6.f}),
                      A::make_int("group", 8), A::make_ints("pads", {1, 1, 1, 1})},
                     20, d, {false, true, true}),
              "depthwise FusedConv Clip");
  expect_same(one_op("FusedConv", {{1, 4, 9, 9}, {6, 2, 3, 3}, {6}},
                     {A::make_string("activation", "LeakyRelu"), A::make_floats("activation_params", {0.1f}),
                      A::make_int("group", 2), A::make_ints("dilations", {2, 2})},
                     20, d, {false, true, true}),
              "grouped dilated FusedConv");
  // A residual that grows the product takes the reference path.
  expect_same(one_op("FusedMatMul", {{1, 9, 21}, {21, 10}, {10}, {3, 9, 10}}, {A::make_string("activation", "")}, 20, d,
                     {false, true, true, false}),
              "FusedMatMul growing residual");
}

TEST(CpuBackend, Attention) {
  const std::string d(kKilnDomain);
  for (const std::vector<int64_t>& mask : std::vector<std::vector<int64_t>>{{}, {2, 1, 1, 12}, {10, 12}, {2, 3, 10, 12}})
    for (int64_t heads : {1, 3}) {
      std::vector<std::vector<int64_t>> shapes = {{2, 10, 24}, {2, 12, 24}, {2, 12, 18}};
      if (!mask.empty()) shapes.push_back(heads == 3 || mask.size() < 4 ? mask : std::vector<int64_t>{2, 1, 10, 12});
      expect_same(one_op("Attention", shapes, {A::make_float("scale", 0.3f), A::make_int("num_heads", heads)}, 20, d),
                  "Attention heads " + std::to_string(heads) + " mask rank " + std::to_string(mask.size()));
    }
}

TEST(CpuBackend, Conv) {
  expect_same(one_op("Conv", {{2, 3, 17, 15}, {5, 3, 7, 7}, {5}}, {A::make_ints("pads", {3, 2, 3, 2}), A::make_ints("strides", {2, 2})},
                     13, "", {false, true, true}),
              "Conv 7x7");
  expect_same(one_op("Conv", {{1, 16, 8, 8}, {24, 16, 1, 1}}, {}, 13, "", {false, false}), "Conv 1x1, runtime weights");
  expect_same(one_op("Conv", {{1, 4, 20}, {6, 4, 3}}, {A::make_ints("pads", {1, 1})}, 13, "", {false, true}), "Conv1D");
  expect_same(one_op("Conv", {{1, 2, 5, 5, 5}, {3, 2, 3, 3, 3}}, {}, 13, "", {false, true}), "Conv3D falls back");
  expect_same(one_op("Conv", {{1, 4, 9, 9}, {4, 1, 5, 5}}, {A::make_int("group", 4), A::make_string("auto_pad", "SAME_UPPER"),
                                                            A::make_ints("strides", {2, 2})},
                     13, "", {false, true}),
              "depthwise 5x5 SAME");
}

TEST(CpuBackend, Elementwise) {
  const std::vector<int64_t> s = {2, 3, 4, 5};
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Exp", "Erf", "Gelu", "HardSwish", "LeakyRelu", "HardSigmoid"})
    expect_same(one_op(op, {s}, {}), op);
  expect_same(one_op("Gelu", {s}, {A::make_string("approximate", "tanh")}), "Gelu tanh");
  expect_same(one_op("Silu", {s}, {}, 20, std::string(kKilnDomain)), "Silu");
  const std::vector<std::vector<int64_t>> others = {s, {}, {1}, {5}, {4, 5}, {3, 1, 1}, {2, 1, 1, 1}, {3, 4, 1}, {1, 3, 1, 5}};
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    for (const auto& o : others) {
      expect_same(one_op(op, {s, o}, {}), std::string(op) + " b broadcast");
      expect_same(one_op(op, {o, s}, {}), std::string(op) + " a broadcast");
    }
  expect_same(one_op("Add", {{4, 1, 5}, {3, 1}}, {}), "Add growing both");
}

TEST(CpuBackend, SoftmaxAndLayerNorm) {
  for (int64_t axis : {-1, 1, 0}) {
    expect_same(one_op("Softmax", {{3, 4, 17}}, {A::make_int("axis", axis)}, 13), "Softmax-13 axis " + std::to_string(axis));
    expect_same(one_op("Softmax", {{3, 4, 17}}, {A::make_int("axis", axis)}, 11), "Softmax-11 axis " + std::to_string(axis));
  }
  expect_same(one_op("LayerNormalization", {{2, 5, 33}, {33}, {33}}, {A::make_float("epsilon", 1e-3f)}, 17, "", {false, true, true}),
              "LayerNorm");
  expect_same(one_op("LayerNormalization", {{2, 5, 33}, {33}}, {}, 17, "", {false, true}), "LayerNorm no bias");
  expect_same(one_op("LayerNormalization", {{2, 5, 6}, {5, 6}, {5, 6}}, {A::make_int("axis", 1)}, 17, "", {false, true, true}),
              "LayerNorm axis 1 falls back");
}

TEST(CpuBackend, Pooling) {
  const std::vector<int64_t> x = {1, 3, 13, 12};
  expect_same(one_op("MaxPool", {x}, {A::make_ints("kernel_shape", {3, 3}), A::make_ints("strides", {2, 2}), A::make_ints("pads", {1, 1, 1, 1})}, 13),
              "MaxPool");
  for (int64_t include : {0, 1})
    expect_same(one_op("AveragePool", {x}, {A::make_ints("kernel_shape", {3, 2}), A::make_ints("pads", {1, 0, 1, 1}),
                                            A::make_int("count_include_pad", include)}, 13),
                "AveragePool");
  expect_same(one_op("MaxPool", {x}, {A::make_ints("kernel_shape", {2, 2}), A::make_ints("strides", {2, 2}), A::make_int("ceil_mode", 1)}, 13),
              "MaxPool ceil_mode falls back");
  expect_same(one_op("GlobalAveragePool", {x}, {}, 13), "GlobalAveragePool");
}

TEST(CpuBackend, BundledSamplesImportedAndOptimized) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(KILN_SAMPLES_DIR, ec))
    if (e.path().extension() == ".onnx") files.push_back(e.path());
  if (files.empty()) GTEST_SKIP() << "no samples in " << KILN_SAMPLES_DIR;
  for (const auto& f : files) {
    Model m = load_model(f.string());
    expect_same(m, f.filename().string(), 1e-3);
    passes::PassManager pm;
    pm.run(m, passes::Recipe::builtin("kiln"));
    expect_same(m, f.filename().string() + " after the kiln recipe", 1e-3);
  }
}

}  // namespace
}  // namespace kiln
