// Kiln's fused epilogue and attention kernels (ai.kiln::FusedConv, FusedGemm, FusedMatMul,
// Attention) against the unfused ONNX ops they replace, run one by one through their own kernels.
#include <random>

#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_epilogue_ops.h"
#include "tests/core/runtime/kernel_harness.h"

namespace kiln {
namespace {

using testing::make_rt;
using testing::run_op;
using testing::values_of;

constexpr DataType F32 = DataType::Float32;
const std::string kKiln(kKilnDomain);

RtTensor random_rt(std::vector<int64_t> shape, uint32_t seed, float scale = 1.f) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return make_rt<float>(F32, shape, v);
}

RtTensor scalar(float v) { return make_rt<float>(F32, {}, {v}); }

void expect_close(const RtTensor& got, const RtTensor& want, float tol = 1e-5f) {
  ASSERT_EQ(got.shape(), want.shape());
  ASSERT_EQ(got.dtype(), want.dtype());
  const std::vector<float> g = values_of<float>(got), w = values_of<float>(want);
  for (size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], w[i], tol * (1 + std::fabs(w[i]))) << "at " << i;
}

// One activation as Kiln's fused ops write it and as the ONNX ops compute it.
struct Act {
  std::string name;
  std::vector<float> params;
};

RtTensor unfused_activation(const Act& a, const RtTensor& x) {
  if (a.name.empty()) return x;
  if (a.name == "LeakyRelu") return run_op("LeakyRelu", {x}, {Attribute::make_float("alpha", a.params[0])})[0];
  if (a.name == "Clip") return run_op("Clip", {x, scalar(a.params[0]), scalar(a.params[1])})[0];
  if (a.name == "HardSigmoid")
    return run_op("HardSigmoid", {x}, {Attribute::make_float("alpha", a.params[0]), Attribute::make_float("beta", a.params[1])})[0];
  if (a.name == "Silu") return run_op("Mul", {x, run_op("Sigmoid", {x})[0]})[0];
  if (a.name == "Gelu") return run_op("Gelu", {x}, {}, 1, 20)[0];
  if (a.name == "GeluTanh") return run_op("Gelu", {x}, {Attribute::make_string("approximate", "tanh")}, 1, 20)[0];
  return run_op(a.name, {x})[0];
}

std::vector<Attribute> activation_attrs(const Act& a) {
  std::vector<Attribute> out;
  if (a.name.empty()) return out;
  out.push_back(Attribute::make_string("activation", a.name));
  if (!a.params.empty()) out.push_back(Attribute::make_floats("activation_params", a.params));
  return out;
}

// Every activation of the table, with parameters away from the defaults.
std::vector<Act> all_activations() {
  std::vector<Act> out;
  for (const KilnActivationInfo& info : kKilnActivations) {
    Act a{std::string(info.name), {}};
    if (info.kind == KilnActivation::LeakyRelu) a.params = {0.2f};
    if (info.kind == KilnActivation::Clip) a.params = {-0.5f, 0.75f};
    if (info.kind == KilnActivation::HardSigmoid) a.params = {0.3f, 0.4f};
    out.push_back(a);
  }
  return out;
}

std::vector<Attribute> with(std::vector<Attribute> a, const std::vector<Attribute>& more) {
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(KilnEpilogueKernels, FusedConvIsConvThenResidualThenActivation) {
  const RtTensor x = random_rt({2, 4, 5, 5}, 1, 2.f), w = random_rt({6, 2, 3, 3}, 2), b = random_rt({6}, 3);
  const std::vector<Attribute> conv_attrs{Attribute::make_int("group", 2), Attribute::make_ints("pads", {1, 1, 1, 1}),
                                          Attribute::make_ints("kernel_shape", {3, 3})};
  const RtTensor conv = run_op("Conv", {x, w, b}, conv_attrs)[0];
  for (const RtTensor& z : {random_rt({2, 6, 5, 5}, 4), random_rt({6, 1, 1}, 5)}) {
    const RtTensor summed = run_op("Add", {conv, z})[0];
    for (const Act& a : all_activations()) {
      SCOPED_TRACE(a.name.empty() ? "no activation" : a.name);
      const RtTensor fused = run_op("FusedConv", {x, w, b, z}, with(conv_attrs, activation_attrs(a)), 1, 1, kKiln)[0];
      expect_close(fused, unfused_activation(a, summed));
    }
  }
  // Without a residual or a bias.
  const RtTensor fused = run_op("FusedConv", {x, w}, with(conv_attrs, activation_attrs({"Relu", {}})), 1, 1, kKiln)[0];
  expect_close(fused, run_op("Relu", {run_op("Conv", {x, w}, conv_attrs)[0]})[0]);
}

TEST(KilnEpilogueKernels, FusedGemmIsGemmThenActivation) {
  const RtTensor a = random_rt({5, 3}, 6), b = random_rt({4, 5}, 7), c = random_rt({4}, 8);
  const std::vector<Attribute> gemm_attrs{Attribute::make_int("transA", 1), Attribute::make_int("transB", 1),
                                          Attribute::make_float("alpha", 0.5f), Attribute::make_float("beta", 2.f)};
  const RtTensor gemm = run_op("Gemm", {a, b, c}, gemm_attrs)[0];
  for (const Act& act : all_activations()) {
    SCOPED_TRACE(act.name);
    expect_close(run_op("FusedGemm", {a, b, c}, with(gemm_attrs, activation_attrs(act)), 1, 1, kKiln)[0],
                 unfused_activation(act, gemm));
  }
}

TEST(KilnEpilogueKernels, FusedMatMulIsMatMulBiasResidualActivation) {
  const RtTensor a = random_rt({2, 3, 4, 5}, 9), b = random_rt({5, 6}, 10), bias = random_rt({6}, 11);
  const RtTensor z = random_rt({4, 6}, 12);
  const RtTensor summed = run_op("Add", {run_op("Add", {bias, run_op("MatMul", {a, b})[0]})[0], z})[0];
  for (const Act& act : all_activations()) {
    SCOPED_TRACE(act.name);
    expect_close(run_op("FusedMatMul", {a, b, bias, z}, activation_attrs(act), 1, 1, kKiln)[0],
                 unfused_activation(act, summed));
  }
  // Residual without a bias; bias without a residual.
  const RtTensor mm = run_op("MatMul", {a, b})[0];
  expect_close(run_op("FusedMatMul", {a, b, RtTensor(), z}, {}, 1, 1, kKiln)[0], run_op("Add", {mm, z})[0]);
  expect_close(run_op("FusedMatMul", {a, b, bias}, {}, 1, 1, kKiln)[0], run_op("Add", {mm, bias})[0]);
}

TEST(KilnEpilogueKernels, FusedMatMulResidualBroadcastsBothWaysAsAddDoes) {
  // [3, 1, 5] x [5, 2] -> [3, 1, 2]; the residual [4, 1] grows it to [3, 4, 2].
  const RtTensor a = random_rt({3, 1, 5}, 30), b = random_rt({5, 2}, 31), bias = random_rt({2}, 32);
  const RtTensor z = random_rt({4, 1}, 33);
  const RtTensor want = run_op("Tanh", {run_op("Add", {run_op("Add", {run_op("MatMul", {a, b})[0], bias})[0], z})[0]})[0];
  const RtTensor got = run_op("FusedMatMul", {a, b, bias, z}, activation_attrs({"Tanh", {}}), 1, 1, kKiln)[0];
  EXPECT_EQ(got.shape(), (std::vector<int64_t>{3, 4, 2}));
  expect_close(got, want);
}

TEST(KilnEpilogueKernels, FusedMatMulStoresHalfComputesFloat) {
  const RtTensor a = random_rt({3, 4}, 13), b = random_rt({4, 2}, 14), bias = random_rt({2}, 15);
  const auto half = [](const RtTensor& t) {
    return run_op("Cast", {t}, {Attribute::make_int("to", static_cast<int64_t>(DataType::Float16))})[0];
  };
  const RtTensor y = run_op("FusedMatMul", {half(a), half(b), half(bias)}, activation_attrs({"Relu", {}}), 1, 1, kKiln)[0];
  ASSERT_EQ(y.dtype(), DataType::Float16);
  const RtTensor back = run_op("Cast", {y}, {Attribute::make_int("to", static_cast<int64_t>(F32))})[0];
  const RtTensor want = run_op("Relu", {run_op("Add", {run_op("MatMul", {a, b})[0], bias})[0]})[0];
  expect_close(back, want, 5e-3f);
}

// softmax(scale * Q·Kᵀ + mask)·V with the ONNX ops, K as [.., Sk, D].
RtTensor unfused_attention(const RtTensor& q, const RtTensor& k, const RtTensor& v, const RtTensor* mask, float scale) {
  std::vector<int64_t> perm(k.rank());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(i);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  const RtTensor kt = run_op("Transpose", {k}, {Attribute::make_ints("perm", perm)})[0];
  RtTensor s = run_op("Mul", {run_op("MatMul", {q, kt})[0], scalar(scale)})[0];
  if (mask) s = run_op("Add", {s, *mask})[0];
  return run_op("MatMul", {run_op("Softmax", {s}, {Attribute::make_int("axis", -1)})[0], v})[0];
}

TEST(KilnEpilogueKernels, AttentionPerHeadBroadcastsBatchAndMask) {
  const RtTensor q = random_rt({2, 3, 4, 8}, 16), k = random_rt({1, 3, 6, 8}, 17), v = random_rt({2, 3, 6, 5}, 18);
  const RtTensor mask = random_rt({2, 1, 1, 6}, 19, 3.f);
  const RtTensor want = unfused_attention(q, k, v, &mask, 0.3f);
  expect_close(run_op("Attention", {q, k, v, mask}, {Attribute::make_float("scale", 0.3f)}, 1, 1, kKiln)[0], want);
  // K handed over already transposed.
  const RtTensor kt = run_op("Transpose", {k}, {Attribute::make_ints("perm", {0, 1, 3, 2})})[0];
  expect_close(run_op("Attention", {q, kt, v, mask},
                      {Attribute::make_float("scale", 0.3f), Attribute::make_int("k_transposed", 1)}, 1, 1, kKiln)[0],
               want);
  // No mask, no scale.
  expect_close(run_op("Attention", {q, k, v}, {}, 1, 1, kKiln)[0], unfused_attention(q, k, v, nullptr, 1.f));
  // A mask that grows the scores' batch, as the Add it replaces would.
  const RtTensor q1 = random_rt({1, 3, 4, 8}, 34), wide = random_rt({2, 3, 4, 6}, 35);
  const RtTensor got = run_op("Attention", {q1, k, v, wide}, {Attribute::make_float("scale", 0.3f)}, 1, 1, kKiln)[0];
  EXPECT_EQ(got.shape(), (std::vector<int64_t>{2, 3, 4, 5}));
  expect_close(got, unfused_attention(q1, k, v, &wide, 0.3f));
}

TEST(KilnEpilogueKernels, AttentionSplitsAndMergesHeads) {
  // Q [B, Sq, H·D], K [B, Sk, H·D], V [B, Sk, H·Dv] with H = 3, D = 4, Dv = 2.
  const RtTensor q = random_rt({2, 4, 12}, 20), k = random_rt({2, 6, 12}, 21), v = random_rt({2, 6, 6}, 22);
  const RtTensor mask = random_rt({2, 1, 1, 6}, 23, 3.f);
  const auto split = [](const RtTensor& x, int64_t d) {
    const RtTensor shape = make_rt<int64_t>(DataType::Int64, {4}, {x.dim(0), x.dim(1), 3, d});
    return run_op("Transpose", {run_op("Reshape", {x, shape})[0]}, {Attribute::make_ints("perm", {0, 2, 1, 3})})[0];
  };
  const RtTensor per_head = unfused_attention(split(q, 4), split(k, 4), split(v, 2), &mask, 0.5f);
  const RtTensor merged = run_op("Reshape", {run_op("Transpose", {per_head}, {Attribute::make_ints("perm", {0, 2, 1, 3})})[0],
                                             make_rt<int64_t>(DataType::Int64, {3}, {2, 4, 6})})[0];
  expect_close(run_op("Attention", {q, k, v, mask},
                      {Attribute::make_float("scale", 0.5f), Attribute::make_int("num_heads", 3)}, 1, 1, kKiln)[0],
               merged);
}

TEST(KilnEpilogueKernels, RejectsWhatTheyDoNotDefine) {
  const RtTensor x = random_rt({2, 3}, 24), w = random_rt({3, 4}, 25);
  EXPECT_THROW(run_op("FusedMatMul", {x, w}, activation_attrs({"Swish", {}}), 1, 1, kKiln), Error);
  EXPECT_THROW(run_op("FusedMatMul", {x, w}, activation_attrs({"Clip", {0.f}}), 1, 1, kKiln), Error);
  // A residual or mask that does not broadcast, a bias not along the last axis, a FusedConv
  // residual that would grow the convolution's output.
  EXPECT_THROW(run_op("FusedMatMul", {x, w, RtTensor(), random_rt({3, 4}, 26)}, {}, 1, 1, kKiln), Error);
  EXPECT_THROW(run_op("FusedMatMul", {x, w, random_rt({3}, 27)}, {}, 1, 1, kKiln), Error);
  const RtTensor q = random_rt({1, 2, 3, 4}, 28);
  EXPECT_THROW(run_op("Attention", {q, q, q, random_rt({3, 2}, 29)}, {}, 1, 1, kKiln), Error);
  EXPECT_THROW(run_op("Attention", {q, q, q}, {Attribute::make_int("num_heads", 2), Attribute::make_int("k_transposed", 1)},
                      1, 1, kKiln),
               Error);
  const RtTensor img = random_rt({1, 2, 3, 3}, 36), filt = random_rt({3, 2, 1, 1}, 37);
  EXPECT_THROW(run_op("FusedConv", {img, filt, RtTensor(), random_rt({2, 3, 3, 3}, 38)},
                      {Attribute::make_ints("kernel_shape", {1, 1})}, 1, 1, kKiln),
               Error);
}

}  // namespace
}  // namespace kiln
