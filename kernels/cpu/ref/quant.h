#pragma once
// Reference kernels for linear quantization: Quantize/Dequantize, integer matmul and conv with
// zero points, and requantization of int32 accumulators. Rounding is half to even and results
// saturate to the quantized type's range, as ONNX specifies.
#include <cstddef>
#include <cstdint>

namespace kiln::ref {

// Where each element's scale and zero point come from. x is [outer, axis_dim, inner]; with
// block == 0 the parameters are 1-D [axis_dim] (per-tensor: axis_dim == 1); with block > 0 they
// are [outer, ceil(axis_dim / block), inner] (blocked quantization, opset 21).
struct QuantLayout {
  int64_t outer = 1;
  int64_t axis_dim = 1;
  int64_t inner = 1;
  int64_t block = 0;
};

// y = saturate(round_half_even(x / scale) + zero_point). zp may be null (zero).
template <class Q>
void quantize_linear(const float* x, const float* scale, const Q* zp, const QuantLayout& l, Q* y);

// y = (x - zero_point) * scale. zp may be null (zero).
template <class Q>
void dequantize_linear(const Q* x, const float* scale, const Q* zp, const QuantLayout& l, float* y);

// y[M,N] = sum_k (a[m,k] - a_zp[m]) * (b[k,n] - b_zp[n]) in int32.
template <class A, class B>
void matmul_integer(const A* a, const int32_t* a_zp, const B* b, const int32_t* b_zp, int64_t m,
                    int64_t k, int64_t n, int32_t* y);

// Geometry of a 2-D convolution (1-D convs use h = kh = 1).
struct ConvGeom {
  int64_t batch = 1, in_c = 1, in_h = 1, in_w = 1;
  int64_t out_c = 1, out_h = 1, out_w = 1;
  int64_t k_h = 1, k_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dil_h = 1, dil_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t group = 1;
};

// Direct integer convolution, NCHW, weights [out_c, in_c / group, k_h, k_w]; padding reads as the
// input zero point (it contributes nothing). w_zp has out_c entries.
template <class X, class W>
void conv_integer(const X* x, int32_t x_zp, const W* w, const int32_t* w_zp, const ConvGeom& g,
                  int32_t* y);

// y[r, c] = saturate(round_half_even(acc[r, c] * row_scale[r or 0] * col_scale[c or 0] /
// out_scale) + out_zp) over rows x cols; the *_per flags say whether a scale varies along
// that dimension.
template <class Q>
void requantize(const int32_t* acc, int64_t rows, int64_t cols, const float* row_scale,
                bool row_per, const float* col_scale, bool col_per, float out_scale, int32_t out_zp,
                Q* y);

}  // namespace kiln::ref
