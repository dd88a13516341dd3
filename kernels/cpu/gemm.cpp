#include "kernels/cpu/gemm.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu {

namespace {

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
int64_t ceil_div(int64_t v, int64_t m) { return (v + m - 1) / m; }
int64_t k_blocks(int64_t kdim) { return std::max<int64_t>(1, ceil_div(kdim, kGemmKc)); }

// out[p][j] = rows[j * stride + p]: W rows read as W sequential streams, the panel written in order.
template <int W>
void pack_rows(const float* rows, int64_t stride, int64_t kc, float* out) {
  const float* s[W];
  for (int j = 0; j < W; ++j) s[j] = rows + j * stride;
  for (int64_t p = 0; p < kc; ++p, out += W)
    for (int j = 0; j < W; ++j) out[j] = s[j][p];
}

// Packs rows [r0, r0 + w) of an operand read as (outer index x, inner k): panel[p][j] =
// src(x = r0 + j, k = k0 + p), zero past `extent`.
void pack_panel(const float* src, int64_t xs, int64_t ks, int64_t r0, int64_t extent, int64_t k0, int64_t kc,
                int64_t w, float* out) {
  const int64_t valid = std::min(w, extent - r0);
  if (xs == 1 && valid == 16 && w == 16) {  // a whole 16-wide panel: fixed-size copies, no calls
    for (int64_t p = 0; p < kc; ++p) std::copy_n(src + (k0 + p) * ks + r0, 16, out + p * 16);
    return;
  }
  if (xs == 1) {  // the panel's row is contiguous in the source
    for (int64_t p = 0; p < kc; ++p) {
      const float* s = src + (k0 + p) * ks + r0;
      float* o = out + p * w;
      std::memcpy(o, s, static_cast<size_t>(valid) * sizeof(float));
      std::fill(o + valid, o + w, 0.f);
    }
    return;
  }
  if (ks == 1 && valid == w && (w == 6 || w == 16)) {  // a whole panel of k-contiguous rows
    if (w == 6)
      pack_rows<6>(src + r0 * xs + k0, xs, kc, out);
    else
      pack_rows<16>(src + r0 * xs + k0, xs, kc, out);
    return;
  }
  for (int64_t p = 0; p < kc; ++p) std::fill(out + p * w + valid, out + (p + 1) * w, 0.f);
  for (int64_t j = 0; j < valid; ++j) {
    const float* s = src + (r0 + j) * xs + k0 * ks;
    float* o = out + j;
    if (ks == 1)
      for (int64_t p = 0; p < kc; ++p) o[p * w] = s[p];
    else
      for (int64_t p = 0; p < kc; ++p) o[p * w] = s[p * ks];
  }
}

// Packs an operand whose panels run along `extent` (m for A, n for B) with panel width w: the
// panels of [first, extent) (first a multiple of w), laid out as a packed operand of their own.
void pack(int64_t extent, int64_t kdim, const float* src, int64_t xs, int64_t ks, int64_t w, float* out,
          ThreadPool* pool, int64_t first = 0) {
  const int64_t panels = ceil_div(extent - first, w), padded = panels * w, blocks = k_blocks(kdim);
  auto body = [&](int64_t task) {
    const int64_t q = task / panels, panel = task % panels;
    const int64_t k0 = q * kGemmKc, kc = std::min(kGemmKc, kdim - k0);
    pack_panel(src, xs, ks, first + panel * w, extent, k0, kc, w, out + q * kGemmKc * padded + panel * kc * w);
  };
  const int64_t tasks = blocks * panels;
  if (pool && pool->threads() > 1 && extent * kdim > 16384)
    pool->parallel_for(tasks, 1, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) body(t);
    });
  else
    for (int64_t t = 0; t < tasks; ++t) body(t);
}

struct Scratch {
  AlignedBuffer a, b;
};
thread_local Scratch t_scratch;

}  // namespace

size_t f32_packed_a_size(const CpuKernels& k, int64_t m, int64_t kdim) {
  return static_cast<size_t>(round_up(m, k.gemm_mr) * std::max<int64_t>(kdim, 1));
}
size_t f32_packed_b_size(const CpuKernels& k, int64_t kdim, int64_t n) {
  return static_cast<size_t>(round_up(n, k.gemm_nr) * std::max<int64_t>(kdim, 1));
}

void f32_pack_a(const CpuKernels& k, int64_t m, int64_t kdim, const float* a, int64_t rs, int64_t cs, float* out,
                ThreadPool* pool) {
  pack(m, kdim, a, rs, cs, k.gemm_mr, out, pool);
}

void f32_pack_b(const CpuKernels& k, int64_t kdim, int64_t n, const float* b, int64_t rs, int64_t cs, float* out,
                ThreadPool* pool) {
  pack(n, kdim, b, cs, rs, k.gemm_nr, out, pool);
}

void f32_gemm(const CpuKernels& k, int64_t m, int64_t n, int64_t kdim, const GemmOperand& a, const GemmOperand& b,
              float* c, int64_t ldc, const Epilogue& ep, ThreadPool* pool) {
  if (m <= 0 || n <= 0) return;
  const int64_t mr = k.gemm_mr, nr = k.gemm_nr;
  const float* pa = a.packed;
  if (!pa) {
    t_scratch.a.resize(f32_packed_a_size(k, m, kdim));
    f32_pack_a(k, m, kdim, a.data, a.rs, a.cs, t_scratch.a.data(), pool);
    pa = t_scratch.a.data();
  }
  const int64_t mp = round_up(m, mr), blocks = k_blocks(kdim);
  const int threads = pool ? pool->threads() : 1;
  const bool parallel = pool && threads > 1 && m * n * std::max<int64_t>(kdim, 1) >= (int64_t{1} << 18);
  const bool need_epilogue = !ep.trivial();

  // C[i0:i1, j0:j1] from the packed B block of columns [bj, ...) at bpacked (bnp columns padded).
  // K blocks outermost (BLIS order): one K slice of the B block stays in L2 while row blocks of
  // A (in L2 too) sweep over it; C is re-read once per K block.
  auto compute = [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1, const float* bpacked, int64_t bj, int64_t bnp) {
    for (int64_t q = 0; q < blocks; ++q) {
      const int64_t kc = std::max<int64_t>(0, std::min(kGemmKc, kdim - q * kGemmKc));
      const bool last = q + 1 == blocks;
      const float* ablock = pa + q * kGemmKc * mp;
      const float* bblock = bpacked + q * kGemmKc * bnp;
      auto call = [&](int64_t i, int64_t j) {
        Epilogue tile_ep;
        const Epilogue* e = nullptr;
        if (last && need_epilogue) {
          tile_ep = ep.at(i, j);
          e = &tile_ep;
        }
        k.f32_gemm_ukernel(kc, ablock + (i / mr) * kc * mr, bblock + ((j - bj) / nr) * kc * nr, c + i * ldc + j, ldc,
                           std::min(mr, i1 - i), std::min(nr, j1 - j), q > 0, e);
      };
      for (int64_t ib = i0; ib < i1; ib += 144) {
        const int64_t ie = std::min(i1, ib + 144);
        // A deep K block keeps one B panel in L1 across the block's rows (j outer). A shallow
        // one leaves the whole B slice in L1/L2, so sweep C row by row instead (i outer): its
        // stores then walk consecutive lines rather than lines a row stride apart, which on a
        // power-of-two width all fall into one L1 set.
        if (kc * (j1 - j0) <= 32768) {
          for (int64_t i = ib; i < ie; i += mr)
            for (int64_t j = j0; j < j1; j += nr) call(i, j);
        } else {
          for (int64_t j = j0; j < j1; j += nr)
            for (int64_t i = ib; i < ie; i += mr) call(i, j);
        }
      }
    }
  };

  if (b.packed) {
    // B packed whole: output tiles of mc x nc (A's block in L2), split until every thread has at
    // least two tiles.
    const int64_t np = round_up(n, nr);
    int64_t tm = ceil_div(m, 144), tn = ceil_div(n, 512);
    while (tm * tn < 2 * threads && (ceil_div(m, tm) > mr || ceil_div(n, tn) > nr)) {
      if (ceil_div(n, tn) / nr >= ceil_div(m, tm) / mr && ceil_div(n, tn) > nr)
        ++tn;
      else if (ceil_div(m, tm) > mr)
        ++tm;
      else
        ++tn;
    }
    const int64_t mc = round_up(ceil_div(m, tm), mr), nc = round_up(ceil_div(n, tn), nr);
    tm = ceil_div(m, mc), tn = ceil_div(n, nc);
    auto tile = [&](int64_t t) {
      const int64_t i0 = (t / tn) * mc, j0 = (t % tn) * nc;
      compute(i0, std::min(m, i0 + mc), j0, std::min(n, j0 + nc), b.packed, 0, np);
    };
    if (parallel && tm * tn > 1)
      pool->run(tm * tn, tile);
    else
      for (int64_t t = 0; t < tm * tn; ++t) tile(t);
    return;
  }

  // B packed on the fly, one block of columns at a time into a per-thread buffer (each K slice
  // of it about 256 KiB, to stay in L2), consumed by every row of C before the next is packed.
  int64_t nc = std::clamp<int64_t>(65536 / std::clamp<int64_t>(kdim, 1, kGemmKc) / nr * nr, nr, 1024);
  if (parallel) nc = std::min(nc, std::max(nr, round_up(ceil_div(n, 2 * threads), nr)));
  const int64_t tn = ceil_div(n, nc);
  auto column_block = [&](int64_t t) {
    const int64_t j0 = t * nc, j1 = std::min(n, j0 + nc), bnp = round_up(j1 - j0, nr);
    AlignedBuffer& buf = t_scratch.b;
    buf.resize(static_cast<size_t>(bnp * std::max<int64_t>(kdim, 1)));
    if (b.pack_b)
      (*b.pack_b)(j0, j1, buf.data());
    else
      pack(j1, kdim, b.data, b.cs, b.rs, nr, buf.data(), nullptr, j0);
    compute(0, m, j0, j1, buf.data(), j0, bnp);
  };
  if (parallel && tn > 1)
    pool->run(tn, column_block);
  else
    for (int64_t t = 0; t < tn; ++t) column_block(t);
}

void f32_gemm(int64_t m, int64_t n, int64_t kdim, const GemmOperand& a, const GemmOperand& b, float* c, int64_t ldc,
              const Epilogue& ep, ThreadPool* pool) {
  f32_gemm(cpu_kernels(), m, n, kdim, a, b, c, ldc, ep, pool);
}

}  // namespace kiln::cpu
