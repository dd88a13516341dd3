#include "kernels/cpu/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu {

namespace {

// Each output row: the window's rows reduced into one padded line first (contiguous, so the
// compiler vectorizes it), then the line reduced along the window's columns.
template <bool Max>
void pool2d(const Pool2dParams& p, const float* x, float* y, ThreadPool* tp) {
  const int64_t ihw = p.in_h * p.in_w, ohw = p.out_h * p.out_w;
  const int64_t line_w = std::max((p.out_w - 1) * p.stride_w + p.kernel_w, p.pad_left + p.in_w);
  const float identity = Max ? -std::numeric_limits<float>::infinity() : 0.f;
  auto body = [&](int64_t b, int64_t e) {
    std::vector<float> line(static_cast<size_t>(line_w), identity);
    float* l = line.data() + p.pad_left;  // l[iw] for iw in [0, in_w); identity around it
    for (int64_t plane = b; plane < e; ++plane) {
      const float* src = x + plane * ihw;
      float* dst = y + plane * ohw;
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        const int64_t h0 = oh * p.stride_h - p.pad_top;
        const int64_t hs = std::max<int64_t>(0, h0), he = std::min(p.in_h, h0 + p.kernel_h);
        if (he > hs) std::copy_n(src + hs * p.in_w, p.in_w, l);
        else std::fill(l, l + p.in_w, identity);
        for (int64_t h = hs + 1; h < he; ++h) {
          const float* row = src + h * p.in_w;
          for (int64_t w = 0; w < p.in_w; ++w) l[w] = Max ? std::max(l[w], row[w]) : l[w] + row[w];
        }
        const int64_t rows = he - hs;
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          const float* win = line.data() + ow * p.stride_w;
          float acc = win[0];
          for (int64_t k = 1; k < p.kernel_w; ++k) acc = Max ? std::max(acc, win[k]) : acc + win[k];
          if constexpr (!Max) {
            const int64_t w0 = ow * p.stride_w - p.pad_left;
            const int64_t cols = std::min(p.in_w, w0 + p.kernel_w) - std::max<int64_t>(0, w0);
            const int64_t cells = p.count_include_pad ? p.kernel_h * p.kernel_w : rows * cols;
            acc = cells > 0 ? acc / static_cast<float>(cells) : 0.f;
          }
          dst[oh * p.out_w + ow] = acc;
        }
      }
    }
  };
  if (tp && p.planes * ohw * p.kernel_h * p.kernel_w > 32768)
    tp->parallel_for(p.planes, 1, body);
  else
    body(0, p.planes);
}

}  // namespace

void f32_maxpool2d(const Pool2dParams& p, const float* x, float* y, ThreadPool* pool) { pool2d<true>(p, x, y, pool); }
void f32_avgpool2d(const Pool2dParams& p, const float* x, float* y, ThreadPool* pool) { pool2d<false>(p, x, y, pool); }

void f32_global_avgpool(int64_t planes, int64_t size, const float* x, float* y, ThreadPool* pool) {
  auto body = [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const float* src = x + plane * size;
      // Eight partial sums: vectorizable, and closer to the reference's sum order than one chain.
      float part[8] = {};
      int64_t i = 0;
      for (; i + 8 <= size; i += 8)
        for (int j = 0; j < 8; ++j) part[j] += src[i + j];
      float acc = 0.f;
      for (; i < size; ++i) acc += src[i];
      for (float v : part) acc += v;
      y[plane] = size > 0 ? acc / static_cast<float>(size) : 0.f;
    }
  };
  if (pool && planes * size > 65536)
    pool->parallel_for(planes, 1, body);
  else
    body(0, planes);
}

}  // namespace kiln::cpu
