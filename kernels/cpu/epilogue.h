#pragma once
// What optimized kernels apply to an output tile while it is still in registers: scale, bias,
// a scaled residual read with arbitrary strides (so Gemm's broadcast C and a ResNet block's
// skip share one path), then an activation. The order is the unfused graph's:
//   y = act(alpha * acc + row_bias[i] + col_bias[j] + residual_scale * residual[i * rs + j * cs])
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace kiln::cpu {

enum class Activation : int32_t {
  None, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Silu, Gelu, GeluTanh
};

struct Epilogue {
  float alpha = 1.f;
  const float* row_bias = nullptr;  // one value per output row (a conv's output channel)
  const float* col_bias = nullptr;  // one value per output column (Gemm/MatMul bias)
  const float* residual = nullptr;
  int64_t residual_row_stride = 0;  // 0 broadcasts along rows
  int64_t residual_col_stride = 1;  // 0 broadcasts along columns; otherwise must be 1
  float residual_scale = 1.f;
  Activation act = Activation::None;
  float p0 = 0.f, p1 = 0.f;  // LeakyRelu alpha; Clip min, max; HardSigmoid alpha, beta

  // The same epilogue for the sub-tile starting at (row, col).
  Epilogue at(int64_t row, int64_t col) const {
    Epilogue e = *this;
    if (row_bias) e.row_bias += row;
    if (col_bias) e.col_bias += col;
    if (residual) e.residual += row * residual_row_stride + col * residual_col_stride;
    return e;
  }
  bool trivial() const {
    return alpha == 1.f && !row_bias && !col_bias && !residual && act == Activation::None;
  }
};

// Calls f(std::integral_constant<Activation, act>{}): one switch, then code specialised
// for act. Every ISA's kernels dispatch their epilogues through it.
template <class F>
inline void with_activation(Activation act, F&& f) {
  switch (act) {
    case Activation::None: return f(std::integral_constant<Activation, Activation::None>{});
    case Activation::Relu: return f(std::integral_constant<Activation, Activation::Relu>{});
    case Activation::LeakyRelu: return f(std::integral_constant<Activation, Activation::LeakyRelu>{});
    case Activation::Clip: return f(std::integral_constant<Activation, Activation::Clip>{});
    case Activation::Sigmoid: return f(std::integral_constant<Activation, Activation::Sigmoid>{});
    case Activation::HardSigmoid: return f(std::integral_constant<Activation, Activation::HardSigmoid>{});
    case Activation::HardSwish: return f(std::integral_constant<Activation, Activation::HardSwish>{});
    case Activation::Tanh: return f(std::integral_constant<Activation, Activation::Tanh>{});
    case Activation::Silu: return f(std::integral_constant<Activation, Activation::Silu>{});
    case Activation::Gelu: return f(std::integral_constant<Activation, Activation::Gelu>{});
    case Activation::GeluTanh: return f(std::integral_constant<Activation, Activation::GeluTanh>{});
  }
}

// Scalar forms, in float, for fallbacks and tails. Sigmoid/tanh/erf go through libm.
inline float activate_scalar(float v, Activation act, float p0, float p1) {
  switch (act) {
    case Activation::None: return v;
    case Activation::Relu: return v > 0.f ? v : 0.f;
    case Activation::LeakyRelu: return v < 0.f ? p0 * v : v;
    case Activation::Clip: return v < p0 ? p0 : (v > p1 ? p1 : v);
    case Activation::Sigmoid: return 1.f / (1.f + std::exp(-v));
    case Activation::HardSigmoid: return std::fmin(1.f, std::fmax(0.f, p0 * v + p1));
    case Activation::HardSwish: return v * std::fmin(1.f, std::fmax(0.f, v * (1.f / 6.f) + 0.5f));
    case Activation::Tanh: return std::tanh(v);
    case Activation::Silu: return v / (1.f + std::exp(-v));
    case Activation::Gelu: return 0.5f * v * (1.f + std::erf(v * 0.70710678118654752f));
    case Activation::GeluTanh:
      return 0.5f * v * (1.f + std::tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
  }
  return v;
}

inline float epilogue_scalar(const Epilogue& e, float acc, int64_t i, int64_t j) {
  float v = e.alpha * acc;
  if (e.row_bias) v += e.row_bias[i];
  if (e.col_bias) v += e.col_bias[j];
  if (e.residual) v += e.residual_scale * e.residual[i * e.residual_row_stride + j * e.residual_col_stride];
  return activate_scalar(v, e.act, e.p0, e.p1);
}

}  // namespace kiln::cpu
