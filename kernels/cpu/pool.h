#pragma once
// Fast 2-D pooling over NCHW planes (float32): max and average windows with padding (padded
// cells never win a max; average divides by the window's cells inside the image, or by the full
// window with count_include_pad), and global average. Planes are split over the thread pool.
#include <cstdint>

namespace kiln::cpu {

class ThreadPool;

struct Pool2dParams {
  int64_t planes = 1;  // batch x channels
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
  bool count_include_pad = false;
};

void f32_maxpool2d(const Pool2dParams& p, const float* x, float* y, ThreadPool* pool = nullptr);
void f32_avgpool2d(const Pool2dParams& p, const float* x, float* y, ThreadPool* pool = nullptr);
// y[plane] = mean of the plane's `size` values.
void f32_global_avgpool(int64_t planes, int64_t size, const float* x, float* y, ThreadPool* pool = nullptr);

}  // namespace kiln::cpu
