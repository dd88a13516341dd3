#pragma once
// Reference normalizations. Tensors are [N, C, S] with S the product of the trailing dims; T is
// float or double (instantiated in norm.cpp). Statistics accumulate in double.
#include <cstdint>

namespace kiln {

// Inference batch norm: y = scale * (x - mean) / sqrt(var + eps) + bias, per channel.
template <class T>
void batch_norm_ref(int64_t n, int64_t c, int64_t s, const T* x, const T* scale, const T* bias, const T* mean,
                    const T* var, double eps, T* y);

// Per (n, c) statistics over S, then per-channel scale and bias.
template <class T>
void instance_norm_ref(int64_t n, int64_t c, int64_t s, const T* x, const T* scale, const T* bias, double eps,
                       T* y);

// Rows of `inner` elements normalized independently; scale and bias (bias may be null) hold
// `inner` values. mean / inv_std (either may be null) receive one value per row.
template <class T>
void layer_norm_ref(int64_t outer, int64_t inner, const T* x, const T* scale, const T* bias, double eps, T* y,
                    T* mean, T* inv_std);

// Rows of `inner` elements scaled by 1/sqrt(mean(x^2) + eps) each, then by `scale` (`inner`
// values): RMSNormalization, which has no mean subtraction and no bias.
template <class T>
void rms_norm_ref(int64_t outer, int64_t inner, const T* x, const T* scale, double eps, T* y);

// Statistics per (n, group) over C/groups channels; scale and bias hold one value per group
// (per_channel false, opset 18) or per channel (per_channel true, opset 21).
template <class T>
void group_norm_ref(int64_t n, int64_t c, int64_t s, int64_t groups, bool per_channel, const T* x, const T* scale,
                    const T* bias, double eps, T* y);

// Local response normalization across channels.
template <class T>
void lrn_ref(int64_t n, int64_t c, int64_t s, int64_t size, double alpha, double beta, double bias, const T* x,
             T* y);

}  // namespace kiln
