#include "kernels/cpu/ref/quant.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln::ref {
namespace {

template <class Q>
Q saturate(double v) {
  const double lo = static_cast<double>(std::numeric_limits<Q>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<Q>::max());
  if (std::isnan(v)) return Q{0};
  return static_cast<Q>(std::clamp(v, lo, hi));
}

// Index of the scale / zero point for element (o, a, i).
int64_t param_index(const QuantLayout& l, int64_t o, int64_t a, int64_t i) {
  if (l.block == 0) return a;
  const int64_t blocks = (l.axis_dim + l.block - 1) / l.block;
  return (o * blocks + a / l.block) * l.inner + i;
}

}  // namespace

template <class Q>
void quantize_linear(const float* x, const float* scale, const Q* zp, const QuantLayout& l, Q* y) {
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t a = 0; a < l.axis_dim; ++a)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t p = param_index(l, o, a, i);
        const int64_t e = (o * l.axis_dim + a) * l.inner + i;
        // nearbyint rounds half to even in the default rounding mode.
        const double q = std::nearbyint(static_cast<double>(x[e] / scale[p]));
        y[e] = saturate<Q>(q + (zp ? static_cast<double>(zp[p]) : 0.0));
      }
}

template <class Q>
void dequantize_linear(const Q* x, const float* scale, const Q* zp, const QuantLayout& l, float* y) {
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t a = 0; a < l.axis_dim; ++a)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t p = param_index(l, o, a, i);
        const int64_t e = (o * l.axis_dim + a) * l.inner + i;
        const int64_t z = zp ? static_cast<int64_t>(zp[p]) : 0;
        y[e] = static_cast<float>(static_cast<int64_t>(x[e]) - z) * scale[p];
      }
}

template <class A, class B>
void matmul_integer(const A* a, const int32_t* a_zp, const B* b, const int32_t* b_zp, int64_t m,
                    int64_t k, int64_t n, int32_t* y) {
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < n; ++c) {
      int32_t acc = 0;
      for (int64_t t = 0; t < k; ++t)
        acc += (static_cast<int32_t>(a[r * k + t]) - a_zp[r]) * (static_cast<int32_t>(b[t * n + c]) - b_zp[c]);
      y[r * n + c] = acc;
    }
}

template <class X, class W>
void conv_integer(const X* x, int32_t x_zp, const W* w, const int32_t* w_zp, const ConvGeom& g,
                  int32_t* y) {
  const int64_t cin_g = g.in_c / g.group, cout_g = g.out_c / g.group;
  for (int64_t b = 0; b < g.batch; ++b)
    for (int64_t oc = 0; oc < g.out_c; ++oc) {
      const int64_t grp = oc / cout_g;
      const W* wk = w + oc * cin_g * g.k_h * g.k_w;
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          int32_t acc = 0;
          for (int64_t ic = 0; ic < cin_g; ++ic) {
            const X* xc = x + ((b * g.in_c) + grp * cin_g + ic) * g.in_h * g.in_w;
            for (int64_t ky = 0; ky < g.k_h; ++ky) {
              const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dil_h;
              if (iy < 0 || iy >= g.in_h) continue;
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dil_w;
                if (ix < 0 || ix >= g.in_w) continue;
                const int32_t xv = static_cast<int32_t>(xc[iy * g.in_w + ix]) - x_zp;
                const int32_t wv = static_cast<int32_t>(wk[(ic * g.k_h + ky) * g.k_w + kx]) - w_zp[oc];
                acc += xv * wv;
              }
            }
          }
          y[((b * g.out_c + oc) * g.out_h + oy) * g.out_w + ox] = acc;
        }
    }
}

template <class Q>
void requantize(const int32_t* acc, int64_t rows, int64_t cols, const float* row_scale,
                bool row_per, const float* col_scale, bool col_per, float out_scale, int32_t out_zp,
                Q* y) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const double s = static_cast<double>(row_scale[row_per ? r : 0]) * col_scale[col_per ? c : 0] / out_scale;
      const double q = std::nearbyint(static_cast<double>(acc[r * cols + c]) * s);
      y[r * cols + c] = saturate<Q>(q + out_zp);
    }
}

template void quantize_linear<uint8_t>(const float*, const float*, const uint8_t*, const QuantLayout&, uint8_t*);
template void quantize_linear<int8_t>(const float*, const float*, const int8_t*, const QuantLayout&, int8_t*);
template void quantize_linear<uint16_t>(const float*, const float*, const uint16_t*, const QuantLayout&, uint16_t*);
template void quantize_linear<int16_t>(const float*, const float*, const int16_t*, const QuantLayout&, int16_t*);
template void dequantize_linear<uint8_t>(const uint8_t*, const float*, const uint8_t*, const QuantLayout&, float*);
template void dequantize_linear<int8_t>(const int8_t*, const float*, const int8_t*, const QuantLayout&, float*);
template void dequantize_linear<uint16_t>(const uint16_t*, const float*, const uint16_t*, const QuantLayout&, float*);
template void dequantize_linear<int16_t>(const int16_t*, const float*, const int16_t*, const QuantLayout&, float*);
template void dequantize_linear<int32_t>(const int32_t*, const float*, const int32_t*, const QuantLayout&, float*);

#define KILN_INT_PAIR(A, B)                                                                      \
  template void matmul_integer<A, B>(const A*, const int32_t*, const B*, const int32_t*, int64_t, \
                                     int64_t, int64_t, int32_t*);                                \
  template void conv_integer<A, B>(const A*, int32_t, const B*, const int32_t*, const ConvGeom&,  \
                                   int32_t*);
KILN_INT_PAIR(uint8_t, uint8_t)
KILN_INT_PAIR(uint8_t, int8_t)
KILN_INT_PAIR(int8_t, uint8_t)
KILN_INT_PAIR(int8_t, int8_t)
#undef KILN_INT_PAIR

template void requantize<uint8_t>(const int32_t*, int64_t, int64_t, const float*, bool, const float*, bool, float, int32_t, uint8_t*);
template void requantize<int8_t>(const int32_t*, int64_t, int64_t, const float*, bool, const float*, bool, float, int32_t, int8_t*);

}  // namespace kiln::ref
