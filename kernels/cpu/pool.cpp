#include "kernels/cpu/pool.h"

#include <algorithm>
#include <limits>

#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu {

namespace {

template <bool Max>
void pool2d(const Pool2dParams& p, const float* x, float* y, ThreadPool* tp) {
  const int64_t ihw = p.in_h * p.in_w, ohw = p.out_h * p.out_w;
  auto body = [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const float* src = x + plane * ihw;
      float* dst = y + plane * ohw;
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        const int64_t h0 = oh * p.stride_h - p.pad_top;
        const int64_t hs = std::max<int64_t>(0, h0), he = std::min(p.in_h, h0 + p.kernel_h);
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          const int64_t w0 = ow * p.stride_w - p.pad_left;
          const int64_t ws = std::max<int64_t>(0, w0), we = std::min(p.in_w, w0 + p.kernel_w);
          float acc = Max ? -std::numeric_limits<float>::infinity() : 0.f;
          for (int64_t h = hs; h < he; ++h) {
            const float* row = src + h * p.in_w;
            for (int64_t w = ws; w < we; ++w) acc = Max ? std::max(acc, row[w]) : acc + row[w];
          }
          if constexpr (!Max) {
            const int64_t cells = p.count_include_pad ? p.kernel_h * p.kernel_w : (he - hs) * (we - ws);
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
