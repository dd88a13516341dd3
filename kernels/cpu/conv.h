#pragma once
// Fast NCHW convolution (1-D and 2-D: ConvParams whose leading spatial slot is 1). Three
// algorithms, chosen per shape by f32_conv_algorithm():
//   Depthwise  group == C == M, dilation 1: direct per-plane kernel (3x3/5x5 vectorized).
//   Pointwise  1x1, stride 1, no padding: GEMM straight over X (B = X[c, h*w]).
//   Direct     group 1, at most 4 input and 16 output channels, dilation 1, a window of 3 or
//              more (small stems):
//              a direct kernel, where im2col would multiply the input by kh·kw/stride².
//   Im2col     everything else: im2col written straight into the GEMM's packed layout, then GEMM.
// GEMMs take the weights as the A operand (M x C/group·kh·kw per group), packed once by
// f32_conv_pack_weights. The epilogue's row_bias is per output channel and its residual, when
// set, is a full [N, M, OH, OW] tensor (residual_row_stride = OH·OW).
#include <cstdint>

#include "kernels/cpu/aligned_buffer.h"
#include "kernels/cpu/epilogue.h"
#include "kernels/cpu/ref/conv.h"

namespace kiln::cpu {

class ThreadPool;
struct CpuKernels;

enum class ConvAlgorithm { Depthwise, Pointwise, Direct, Im2col };

// Whether the fast kernels handle p (otherwise use f32_conv_ref).
bool f32_conv_supported(const ConvParams& p);
ConvAlgorithm f32_conv_algorithm(const ConvParams& p);

// Packs W [M, C/group, kh, kw] for the GEMM and Direct algorithms (nothing to do for Depthwise).
void f32_conv_pack_weights(const CpuKernels& k, const ConvParams& p, const float* w, AlignedBuffer& out);

// Y = epilogue(conv(X, W)). packed_w from f32_conv_pack_weights, or null to pack w now.
void f32_conv(const CpuKernels& k, const ConvParams& p, const float* x, const float* w, const float* packed_w,
              float* y, const Epilogue& ep, ThreadPool* pool = nullptr);

}  // namespace kiln::cpu
