#include "kernels/cpu/ref/pool.h"

#include <cmath>
#include <limits>

namespace kiln {

template <class T>
void pool_ref(const PoolParams& p, const T* x, T* y, int64_t* indices) {
  const int64_t in_sz = p.in[0] * p.in[1] * p.in[2];
  const int64_t out_sz = p.out[0] * p.out[1] * p.out[2];
  for (int64_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const T* xp = x + nc * in_sz;
    for (int64_t o = 0; o < out_sz; ++o) {
      const std::array<int64_t, 3> oi{o / (p.out[1] * p.out[2]), (o / p.out[2]) % p.out[1], o % p.out[2]};
      double best = -std::numeric_limits<double>::infinity();
      int64_t best_at = -1;
      double sum = 0.0;
      int64_t valid = 0, padded = 0;
      for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0)
        for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1)
          for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
            const std::array<int64_t, 3> k{k0, k1, k2};
            std::array<int64_t, 3> ii{};
            bool inside = true, in_pad = true;
            for (int d = 0; d < 3; ++d) {
              ii[d] = oi[d] * p.stride[d] - p.pad_begin[d] + k[d] * p.dilation[d];
              inside = inside && ii[d] >= 0 && ii[d] < p.in[d];
              in_pad = in_pad && ii[d] >= -p.pad_begin[d] && ii[d] < p.in[d] + p.pad_end[d];
            }
            if (in_pad) ++padded;
            if (!inside) continue;
            ++valid;
            const int64_t at = (ii[0] * p.in[1] + ii[1]) * p.in[2] + ii[2];
            const double v = xp[at];
            if (p.kind == PoolKind::Max) {
              if (v > best || best_at < 0) {
                best = v;
                best_at = p.column_major_indices ? ii[0] + ii[1] * p.in[0] + ii[2] * p.in[0] * p.in[1] : at;
              }
            } else if (p.kind == PoolKind::Average) {
              sum += v;
            } else {
              sum += std::pow(std::fabs(v), p.p);
            }
          }
      T& out = y[nc * out_sz + o];
      if (p.kind == PoolKind::Max) {
        // A window entirely in padding (pads wider than the kernel) has no maximum.
        out = best_at < 0 ? T(0) : static_cast<T>(best);
        if (indices) indices[nc * out_sz + o] = best_at < 0 ? -1 : nc * in_sz + best_at;
      } else if (p.kind == PoolKind::Average) {
        const int64_t count = p.count_include_pad ? padded : valid;
        out = static_cast<T>(count ? sum / static_cast<double>(count) : 0.0);
      } else {
        out = static_cast<T>(std::pow(sum, 1.0 / p.p));
      }
    }
  }
}

template void pool_ref<float>(const PoolParams&, const float*, float*, int64_t*);
template void pool_ref<double>(const PoolParams&, const double*, double*, int64_t*);
template void pool_ref<int8_t>(const PoolParams&, const int8_t*, int8_t*, int64_t*);
template void pool_ref<uint8_t>(const PoolParams&, const uint8_t*, uint8_t*, int64_t*);

}  // namespace kiln
