#pragma once
// Blocked, packed, multi-threaded SGEMM over the dispatch table's micro-kernel:
//   C[m x n] = epilogue(op(A) · op(B))
// with A and B given by element strides (so transposed operands need no copy) or pre-packed once
// (constant weights, packed at bind time). Packed layout, for the table's mr x nr tile: K is cut
// into blocks of kGemmKc; block q of A holds ceil(m/mr) panels of kc_q x mr values (row i of
// the panel is k, zero-padded past m), at offset q * kGemmKc * round_up(m, mr); B likewise with
// nr-wide panels of kc_q x nr.
#include <cstdint>
#include <functional>

#include "kernels/cpu/aligned_buffer.h"
#include "kernels/cpu/epilogue.h"

namespace kiln::cpu {

class ThreadPool;
struct CpuKernels;

inline constexpr int64_t kGemmKc = 256;

// Fills `out` with the columns [j0, j1) of B (j0 a multiple of the tile's nr), for every K block,
// laid out as the packed B of a kdim x (j1 - j0) matrix: how im2col feeds the GEMM directly.
using PackBColumns = std::function<void(int64_t j0, int64_t j1, float* out)>;

// A matrix operand: element (r, c) at data[r * rs + c * cs], already packed, or (B only)
// packed on demand by a callback.
struct GemmOperand {
  const float* data = nullptr;
  int64_t rs = 0, cs = 1;
  const float* packed = nullptr;  // when set, data/rs/cs are ignored
  const PackBColumns* pack_b = nullptr;
};

size_t f32_packed_a_size(const CpuKernels& k, int64_t m, int64_t kdim);
size_t f32_packed_b_size(const CpuKernels& k, int64_t kdim, int64_t n);
// Packs the m x kdim operand A (or kdim x n operand B) into out (f32_packed_*_size floats).
void f32_pack_a(const CpuKernels& k, int64_t m, int64_t kdim, const float* a, int64_t rs, int64_t cs, float* out,
                ThreadPool* pool = nullptr);
void f32_pack_b(const CpuKernels& k, int64_t kdim, int64_t n, const float* b, int64_t rs, int64_t cs, float* out,
                ThreadPool* pool = nullptr);

// C (row stride ldc) = epilogue(A · B). A is m x kdim, B is kdim x n. pool may be null (one thread).
// A B that is not pre-packed is packed a block of columns at a time, each block used by every row
// of C while it is in L2; threads split C by column blocks then, by tiles for a pre-packed B.
void f32_gemm(const CpuKernels& k, int64_t m, int64_t n, int64_t kdim, const GemmOperand& a, const GemmOperand& b,
              float* c, int64_t ldc, const Epilogue& ep, ThreadPool* pool = nullptr);
// The same through cpu_kernels().
void f32_gemm(int64_t m, int64_t n, int64_t kdim, const GemmOperand& a, const GemmOperand& b, float* c, int64_t ldc,
              const Epilogue& ep, ThreadPool* pool = nullptr);

}  // namespace kiln::cpu
