#include "kernels/cpu/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu {

namespace {

struct Dims2 {
  int64_t ih, iw, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw;
};

Dims2 dims_of(const ConvParams& p) {
  return {p.in[1], p.in[2], p.out[1], p.out[2], p.kernel[1], p.kernel[2], p.stride[1], p.stride[2],
          p.dilation[1], p.dilation[2], p.pad_begin[1], p.pad_begin[2]};
}

// im2col straight into the GEMM's packed B layout (kernels/cpu/gemm.h): row r = (c, ki, kj) of
// one group, column j = (oh, ow) goes to panel j / nr, lane j % nr. Panels are filled one after
// the other, so the writes are sequential; the input plane they gather from stays in cache.
struct Im2colRow {
  int64_t plane_offset, ih_offset, iw_offset, lo, hi;  // lo/hi: ow range inside the image
};

std::vector<Im2colRow> im2col_table(const Dims2& d, int64_t channels) {
  const int64_t rows = channels * d.kh * d.kw;
  std::vector<Im2colRow> table(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r / (d.kh * d.kw), ki = (r / d.kw) % d.kh, kj = r % d.kw;
    const int64_t off = kj * d.dw - d.pw;
    int64_t lo = off >= 0 ? 0 : (-off + d.sw - 1) / d.sw;
    int64_t hi = d.iw - off <= 0 ? 0 : (d.iw - off + d.sw - 1) / d.sw;
    lo = std::min(lo, d.ow), hi = std::clamp(hi, lo, d.ow);
    table[static_cast<size_t>(r)] = {c * d.ih * d.iw, ki * d.dh - d.ph, off, lo, hi};
  }
  return table;
}

// Columns [c0, c1) (c0 a multiple of nr) of one group's column matrix, packed.
void im2col_packed(const Dims2& d, const std::vector<Im2colRow>& table, const float* x, int64_t nr, int64_t c0,
                   int64_t c1, float* packed) {
  const int64_t rows = static_cast<int64_t>(table.size());
  const int64_t panels = (c1 - c0 + nr - 1) / nr, padded = panels * nr;
  const int64_t blocks = std::max<int64_t>(1, (rows + kGemmKc - 1) / kGemmKc);
  for (int64_t t = 0; t < blocks * panels; ++t) {
    {
      const int64_t q = t / panels, p = t % panels;
      const int64_t r0 = q * kGemmKc, kc = std::min(kGemmKc, rows - r0);
      float* dst = packed + q * kGemmKc * padded + p * kc * nr;
      const int64_t j0 = c0 + p * nr, j1 = std::min(c1, j0 + nr);
      for (int64_t r = r0; r < r0 + kc; ++r, dst += nr) {
        const Im2colRow& row = table[static_cast<size_t>(r)];
        float* o = dst;
        // The panel's columns in runs that share an output row.
        for (int64_t j = j0; j < j1;) {
          const int64_t oh = j / d.ow, ow0 = j % d.ow, run = std::min(j1 - j, d.ow - ow0);
          const int64_t ih = oh * d.sh + row.ih_offset;
          if (ih < 0 || ih >= d.ih) {
            std::fill(o, o + run, 0.f);
          } else {
            const float* src = x + row.plane_offset + ih * d.iw + row.iw_offset;
            const int64_t a = std::clamp(row.lo - ow0, int64_t{0}, run), b = std::clamp(row.hi - ow0, a, run);
            if (a == 0 && b == run) {  // no padding in the run (always, on a padded image)
              if (d.sw == 1 && run == 16)
                std::copy_n(src + ow0, 16, o);  // a fixed-size copy: inlined
              else
                for (int64_t u = 0; u < run; ++u) o[u] = src[(ow0 + u) * d.sw];
              o += run, j += run;
              continue;
            }
            std::fill(o, o + a, 0.f);
            if (d.sw == 1)
              std::copy_n(src + ow0 + a, b - a, o + a);
            else
              for (int64_t u = a; u < b; ++u) o[u] = src[(ow0 + u) * d.sw];
            std::fill(o + b, o + run, 0.f);
          }
          o += run, j += run;
        }
        std::fill(o, dst + nr, 0.f);
      }
    }
  }
}

thread_local AlignedBuffer t_pad, t_weights;

void depthwise(const CpuKernels& k, const ConvParams& p, const float* x, const float* w, float* y, const Epilogue& ep,
               ThreadPool* pool) {
  const Dims2 d = dims_of(p);
  const int64_t planes = p.batch * p.out_channels, ohw = d.oh * d.ow;
  DwConvPlane plane;
  plane.kernel_h = d.kh, plane.kernel_w = d.kw, plane.stride_h = d.sh, plane.stride_w = d.sw;
  plane.out_h = d.oh, plane.out_w = d.ow;
  const int64_t ph = (d.oh - 1) * d.sh + d.kh, pw = (d.ow - 1) * d.sw + d.kw;
  plane.in_w = pw;
  const bool need_epilogue = !ep.trivial();
  auto body = [&](int64_t b, int64_t e) {
    AlignedBuffer& pad = t_pad;
    pad.resize(static_cast<size_t>(ph * pw + 32));
    float* buf = pad.data();
    // Every plane has the same geometry: zero the buffer once, then each plane overwrites only
    // the cells inside the image (the border stays zero).
    std::fill(buf, buf + ph * pw + 32, 0.f);
    const int64_t lo = std::min(pw, d.pw), hi = std::clamp(d.pw + d.iw, lo, pw);
    for (int64_t t = b; t < e; ++t) {
      const int64_t c = t % p.out_channels, n = t / p.out_channels;
      const float* src = x + t * d.ih * d.iw;
      for (int64_t ih = 0; ih < d.ih && ih + d.ph < ph; ++ih)
        if (ih + d.ph >= 0) std::copy_n(src + ih * d.iw + (lo - d.pw), hi - lo, buf + (ih + d.ph) * pw + lo);
      float* out = y + t * ohw;
      k.f32_dwconv_plane(plane, buf, w + c * d.kh * d.kw, out);
      if (need_epilogue) {
        Epilogue e1 = ep.at(c, 0);
        if (e1.residual) e1.residual += n * p.out_channels * ohw;
        k.f32_epilogue_inplace(out, 1, ohw, ohw, e1);
      }
    }
  };
  if (pool && planes > 1 && planes * ohw * d.kh * d.kw > 16384)
    pool->parallel_for(planes, 1, body);
  else
    body(0, planes);
}

void direct(const CpuKernels& k, const ConvParams& p, const float* x, const float* packed_w, float* y,
            const Epilogue& ep, ThreadPool* pool) {
  const Dims2 d = dims_of(p);
  DirectConvParams dp;
  dp.in_channels = p.in_channels, dp.out_channels = p.out_channels;
  dp.out_h = d.oh, dp.out_w = d.ow, dp.kernel_h = d.kh, dp.kernel_w = d.kw, dp.stride_h = d.sh, dp.stride_w = d.sw;
  // Padded so that every 8-column vector of every output row reads inside its input row.
  dp.in_h = (d.oh - 1) * d.sh + d.kh;
  dp.in_w = (d.ow + 7) / 8 * 8 * d.sw + d.kw + 8;
  const int64_t ohw = d.oh * d.ow, plane = dp.in_h * dp.in_w;
  const int64_t taps = p.in_channels * d.kh * d.kw, blocks = (p.out_channels + 7) / 8;
  const size_t padded_size = static_cast<size_t>(p.in_channels * plane + 32);
  t_pad.resize(padded_size);
  float* buf = t_pad.data();
  for (int64_t n = 0; n < p.batch; ++n) {
    std::fill(buf, buf + padded_size, 0.f);
    for (int64_t c = 0; c < p.in_channels; ++c)
      for (int64_t ih = 0; ih < d.ih; ++ih) {
        const int64_t r = ih + d.ph;
        if (r >= dp.in_h) break;
        const int64_t lo = std::min(dp.in_w, d.pw), hi = std::min(dp.in_w, d.pw + d.iw);
        std::copy_n(x + (n * p.in_channels + c) * d.ih * d.iw + ih * d.iw, hi - lo, buf + c * plane + r * dp.in_w + lo);
      }
    float* yn = y + n * p.out_channels * ohw;
    auto body = [&](int64_t b0, int64_t b1) {
      DirectConvParams part = dp;
      part.out_channels = std::min(p.out_channels, b1 * 8) - b0 * 8;
      k.f32_conv_direct(part, buf, packed_w + b0 * taps * 8, yn + b0 * 8 * ohw);
      if (!ep.trivial()) {
        Epilogue e = ep.at(b0 * 8, 0);
        if (e.residual) e.residual += n * p.out_channels * ohw;
        k.f32_epilogue_inplace(yn + b0 * 8 * ohw, part.out_channels, ohw, ohw, e);
      }
    };
    if (pool && blocks > 1 && p.out_channels * ohw * taps > 65536)
      pool->parallel_for(blocks, 1, body);
    else
      body(0, blocks);
  }
}

}  // namespace

bool f32_conv_supported(const ConvParams& p) {
  return p.in[0] == 1 && p.out[0] == 1 && p.kernel[0] == 1 && p.pad_begin[0] == 0 && p.group >= 1 &&
         p.in_channels % p.group == 0 && p.out_channels % p.group == 0;
}

ConvAlgorithm f32_conv_algorithm(const ConvParams& p) {
  if (p.group == p.in_channels && p.group == p.out_channels && p.dilation[1] == 1 && p.dilation[2] == 1)
    return ConvAlgorithm::Depthwise;
  // Measured (bench_kernels BM_Conv): for a 3-channel 7x7/2 stem the direct kernel beats
  // im2col + GEMM at 16 output channels (1.4x) and loses at 64 (0.6x), where the GEMM's larger
  // M amortises im2col.
  if (p.group == 1 && p.in_channels <= 4 && p.out_channels <= 16 && p.dilation[1] == 1 && p.dilation[2] == 1 &&
      p.kernel[1] * p.kernel[2] >= 3)
    return ConvAlgorithm::Direct;
  if (p.kernel[1] == 1 && p.kernel[2] == 1 && p.stride[1] == 1 && p.stride[2] == 1 && p.pad_begin[1] == 0 &&
      p.pad_begin[2] == 0 && p.out[1] == p.in[1] && p.out[2] == p.in[2])
    return ConvAlgorithm::Pointwise;
  return ConvAlgorithm::Im2col;
}

void f32_conv_pack_weights(const CpuKernels& k, const ConvParams& p, const float* w, AlignedBuffer& out) {
  const ConvAlgorithm algo = f32_conv_algorithm(p);
  if (algo == ConvAlgorithm::Depthwise) return;
  if (algo == ConvAlgorithm::Direct) {  // [ceil(M/8)][C][kh][kw][8], zero past M
    const int64_t taps = p.in_channels * p.kernel[1] * p.kernel[2], blocks = (p.out_channels + 7) / 8;
    out.resize(static_cast<size_t>(blocks * taps * 8));
    float* o = out.data();
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t t = 0; t < taps; ++t)
        for (int64_t j = 0; j < 8; ++j, ++o) *o = b * 8 + j < p.out_channels ? w[(b * 8 + j) * taps + t] : 0.f;
    return;
  }
  const int64_t mg = p.out_channels / p.group, kg = p.in_channels / p.group * p.kernel[1] * p.kernel[2];
  const size_t per_group = f32_packed_a_size(k, mg, kg);
  out.resize(per_group * static_cast<size_t>(p.group));
  for (int64_t g = 0; g < p.group; ++g)
    f32_pack_a(k, mg, kg, w + g * mg * kg, kg, 1, out.data() + per_group * static_cast<size_t>(g));
}

void f32_conv(const CpuKernels& k, const ConvParams& p, const float* x, const float* w, const float* packed_w,
              float* y, const Epilogue& ep, ThreadPool* pool) {
  const ConvAlgorithm algo = f32_conv_algorithm(p);
  if (algo == ConvAlgorithm::Depthwise) return depthwise(k, p, x, w, y, ep, pool);
  if (!packed_w) {
    f32_conv_pack_weights(k, p, w, t_weights);
    packed_w = t_weights.data();
  }
  if (algo == ConvAlgorithm::Direct) return direct(k, p, x, packed_w, y, ep, pool);
  const Dims2 d = dims_of(p);
  const int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group, kg = cg * d.kh * d.kw;
  const int64_t ohw = d.oh * d.ow, ihw = d.ih * d.iw;
  const size_t per_group = f32_packed_a_size(k, mg, kg);
  // im2col of a padded conv reads a zero-padded copy of the image (one pass over the input,
  // which im2col then reads kh·kw/stride² times), so that no run of columns needs a bounds check.
  Dims2 padded = d;
  const bool pad_input = algo == ConvAlgorithm::Im2col && (d.ph != 0 || d.pw != 0 || (d.oh - 1) * d.sh + (d.kh - 1) * d.dh >= d.ih ||
                                                           (d.ow - 1) * d.sw + (d.kw - 1) * d.dw >= d.iw);
  if (pad_input) {
    padded.ih = (d.oh - 1) * d.sh + (d.kh - 1) * d.dh + 1, padded.iw = (d.ow - 1) * d.sw + (d.kw - 1) * d.dw + 1;
    padded.ph = padded.pw = 0;
    t_pad.resize(static_cast<size_t>(cg * padded.ih * padded.iw + 16));
  }
  const Dims2& dc = pad_input ? padded : d;
  std::vector<Im2colRow> table;
  if (algo == ConvAlgorithm::Im2col) table = im2col_table(dc, cg);
  const float* columns_of = nullptr;
  const PackBColumns pack_columns = [&](int64_t j0, int64_t j1, float* out) {
    im2col_packed(dc, table, columns_of, k.gemm_nr, j0, j1, out);
  };
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t g = 0; g < p.group; ++g) {
      const float* xg = x + (n * p.in_channels + g * cg) * ihw;
      GemmOperand b;
      if (algo == ConvAlgorithm::Pointwise) {
        b.data = xg, b.rs = ihw, b.cs = 1;
      } else {
        b.pack_b = &pack_columns;
        columns_of = xg;
        if (pad_input) {
          float* buf = t_pad.data();
          const int64_t pplane = padded.ih * padded.iw;
          std::fill(buf, buf + cg * pplane, 0.f);
          const int64_t lo = std::min(padded.iw, d.pw), hi = std::clamp(d.pw + d.iw, lo, padded.iw);
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ih = 0; ih < d.ih && ih + d.ph < padded.ih; ++ih)
              if (ih + d.ph >= 0)
                std::copy_n(xg + c * ihw + ih * d.iw + (lo - d.pw), hi - lo, buf + c * pplane + (ih + d.ph) * padded.iw + lo);
          columns_of = buf;
        }
      }
      GemmOperand a;
      a.packed = packed_w + per_group * static_cast<size_t>(g);
      Epilogue e = ep.at(g * mg, 0);
      if (e.residual) e.residual += n * p.out_channels * ohw;
      f32_gemm(k, mg, ohw, kg, a, b, y + (n * p.out_channels + g * mg) * ohw, ohw, e, pool);
    }
}

}  // namespace kiln::cpu
