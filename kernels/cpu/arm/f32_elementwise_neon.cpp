// Elementwise maps and the in-memory epilogue, 8 then 4 floats per step; tails of < 4 go through
// the same vector code on a zero-padded copy, so every element sees the same arithmetic.
#include "kernels/cpu/arm/arm_kernels.h"
#include "kernels/cpu/arm/neon_math.h"

namespace kiln::cpu::neon {

namespace {

// y[i] = f(x[i]) for a vector function f; y may alias x.
template <class F>
inline void map(const float* x, float* y, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t v0 = f(vld1q_f32(x + i)), v1 = f(vld1q_f32(x + i + 4));
    vst1q_f32(y + i, v0);
    vst1q_f32(y + i + 4, v1);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, f(vld1q_f32(x + i)));
  if (i < n) store_partial(y + i, f(load_partial(x + i, n - i)), n - i);
}

}  // namespace

void f32_epilogue_inplace_neon(float* y, int64_t rows, int64_t cols, int64_t ldy, const Epilogue& ep) {
  const TileEpilogue e = tile_epilogue(ep);
  with_activation(ep.act, [&](auto act) {
    constexpr Activation A = decltype(act)::value;
    for (int64_t i = 0; i < rows; ++i) {
      float* row = y + i * ldy;
      int64_t j = 0;
      for (; j + 4 <= cols; j += 4) vst1q_f32(row + j, finish<A>(e, vld1q_f32(row + j), i, j, 4));
      if (j < cols) store_partial(row + j, finish<A>(e, load_partial(row + j, cols - j), i, j, cols - j), cols - j);
    }
  });
}

void f32_activation_neon(const float* x, float* y, int64_t n, Activation act, float p0, float p1) {
  const float32x4_t vp0 = vdupq_n_f32(p0), vp1 = vdupq_n_f32(p1);
  with_activation(act, [&](auto a) {
    constexpr Activation A = decltype(a)::value;
    map(x, y, n, [&](float32x4_t v) { return activate_t<A>(v, vp0, vp1); });
  });
}

void f32_exp_neon(const float* x, float* y, int64_t n) { map(x, y, n, [](float32x4_t v) { return exp_ps(v); }); }

void f32_erf_neon(const float* x, float* y, int64_t n) { map(x, y, n, [](float32x4_t v) { return erf_ps(v); }); }

namespace {

template <BinaryOp Op>
inline float32x4_t apply(float32x4_t u, float32x4_t v) {
  if constexpr (Op == BinaryOp::Add) return vaddq_f32(u, v);
  else if constexpr (Op == BinaryOp::Sub) return vsubq_f32(u, v);
  else if constexpr (Op == BinaryOp::Mul) return vmulq_f32(u, v);
  else return vdivq_f32(u, v);
}

template <BinaryOp Op>
void binary(const float* a, const float* b, int64_t b_stride, float* y, int64_t n) {
  if (b_stride == 0) {
    const float32x4_t bv = vdupq_n_f32(*b);
    map(a, y, n, [bv](float32x4_t u) { return apply<Op>(u, bv); });
    return;
  }
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, apply<Op>(vld1q_f32(a + i), vld1q_f32(b + i)));
  // The tail's padding lanes divide 0 by 0 (a NaN nobody stores): harmless.
  if (i < n) store_partial(y + i, apply<Op>(load_partial(a + i, n - i), load_partial(b + i, n - i)), n - i);
}

}  // namespace

void f32_binary_neon(BinaryOp op, const float* a, const float* b, int64_t b_stride, float* y, int64_t n) {
  if (n <= 0) return;
  switch (op) {
    case BinaryOp::Add: return binary<BinaryOp::Add>(a, b, b_stride, y, n);
    case BinaryOp::Sub: return binary<BinaryOp::Sub>(a, b, b_stride, y, n);
    case BinaryOp::Mul: return binary<BinaryOp::Mul>(a, b, b_stride, y, n);
    case BinaryOp::Div: return binary<BinaryOp::Div>(a, b, b_stride, y, n);
  }
}

}  // namespace kiln::cpu::neon
