// SGEMM micro-kernel, 6 rows x 16 columns on the packed panels shared with the scalar and AVX2
// kernels (kernels/cpu/gemm.h): 24 q-register accumulators (4 per row), four B vectors and the
// six A values of one k step in a q and a d register, one fmla (by lane) per accumulator. The
// epilogue runs on the accumulators before the single store, so a fused op writes its output once.
#include "kernels/cpu/arm/arm_kernels.h"
#include "kernels/cpu/arm/neon_math.h"

namespace kiln::cpu::neon {

namespace {

// Stores one row (4 vectors, columns 0..15) into row[0, nr) of C, after the epilogue.
template <Activation A>
inline void store_row(float* row, float32x4_t v0, float32x4_t v1, float32x4_t v2, float32x4_t v3, int64_t i,
                      int64_t nr, bool accumulate, const TileEpilogue* e) {
  float32x4_t v[4] = {v0, v1, v2, v3};
  for (int q = 0; q < 4; ++q) {
    const int64_t j = 4 * q, n = nr - j < 4 ? nr - j : 4;
    if (n <= 0) break;
    float32x4_t x = v[q];
    if (n == 4) {
      if (accumulate) x = vaddq_f32(x, vld1q_f32(row + j));
      if (e) x = finish<A>(*e, x, i, j, 4);
      vst1q_f32(row + j, x);
    } else {
      if (accumulate) x = vaddq_f32(x, load_partial(row + j, n));
      if (e) x = finish<A>(*e, x, i, j, n);
      store_partial(row + j, x, n);
    }
  }
}

}  // namespace

void f32_gemm_6x16_neon(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                        bool accumulate, const Epilogue* ep) {
  const float32x4_t z = vdupq_n_f32(0.f);
  float32x4_t c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
  float32x4_t c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
  float32x4_t c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
  for (int64_t p = 0; p < kc; ++p, a += 6, b += 16) {
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
    const float32x4_t a03 = vld1q_f32(a);
    const float32x2_t a45 = vld1_f32(a + 4);
    c00 = vfmaq_laneq_f32(c00, b0, a03, 0), c01 = vfmaq_laneq_f32(c01, b1, a03, 0);
    c02 = vfmaq_laneq_f32(c02, b2, a03, 0), c03 = vfmaq_laneq_f32(c03, b3, a03, 0);
    c10 = vfmaq_laneq_f32(c10, b0, a03, 1), c11 = vfmaq_laneq_f32(c11, b1, a03, 1);
    c12 = vfmaq_laneq_f32(c12, b2, a03, 1), c13 = vfmaq_laneq_f32(c13, b3, a03, 1);
    c20 = vfmaq_laneq_f32(c20, b0, a03, 2), c21 = vfmaq_laneq_f32(c21, b1, a03, 2);
    c22 = vfmaq_laneq_f32(c22, b2, a03, 2), c23 = vfmaq_laneq_f32(c23, b3, a03, 2);
    c30 = vfmaq_laneq_f32(c30, b0, a03, 3), c31 = vfmaq_laneq_f32(c31, b1, a03, 3);
    c32 = vfmaq_laneq_f32(c32, b2, a03, 3), c33 = vfmaq_laneq_f32(c33, b3, a03, 3);
    c40 = vfmaq_lane_f32(c40, b0, a45, 0), c41 = vfmaq_lane_f32(c41, b1, a45, 0);
    c42 = vfmaq_lane_f32(c42, b2, a45, 0), c43 = vfmaq_lane_f32(c43, b3, a45, 0);
    c50 = vfmaq_lane_f32(c50, b0, a45, 1), c51 = vfmaq_lane_f32(c51, b1, a45, 1);
    c52 = vfmaq_lane_f32(c52, b2, a45, 1), c53 = vfmaq_lane_f32(c53, b3, a45, 1);
  }

  TileEpilogue te;
  if (ep) te = tile_epilogue(*ep);
  const TileEpilogue* e = ep ? &te : nullptr;
  with_activation(ep ? ep->act : Activation::None, [&](auto act) {
    constexpr Activation A = decltype(act)::value;
    if (mr > 0) store_row<A>(c, c00, c01, c02, c03, 0, nr, accumulate, e);
    if (mr > 1) store_row<A>(c + ldc, c10, c11, c12, c13, 1, nr, accumulate, e);
    if (mr > 2) store_row<A>(c + 2 * ldc, c20, c21, c22, c23, 2, nr, accumulate, e);
    if (mr > 3) store_row<A>(c + 3 * ldc, c30, c31, c32, c33, 3, nr, accumulate, e);
    if (mr > 4) store_row<A>(c + 4 * ldc, c40, c41, c42, c43, 4, nr, accumulate, e);
    if (mr > 5) store_row<A>(c + 5 * ldc, c50, c51, c52, c53, 5, nr, accumulate, e);
  });
}

}  // namespace kiln::cpu::neon
