// Reference kernels for the Kiln-domain ops of the epilogue passes (semantics in
// core/ir/kiln_epilogue_ops.h). Each runs its base op through the same binding the ONNX op uses
// (bind/nn*.cpp) and then the epilogue in place on the output, in the order the unfused graph
// computes it, so fused and unfused models agree to rounding.
#include <algorithm>
#include <cmath>

#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_epilogue_ops.h"
#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/elementwise.h"
#include "kernels/cpu/ref/reduce.h"

namespace kiln {

namespace {

using nn::dispatch_float;
using nn::need_input;

const RtTensor* optional_input(KernelContext& ctx, size_t i) { return i < ctx.input_count() ? ctx.input(i) : nullptr; }

// Whether `in` broadcasts to `out` without changing it.
bool broadcasts_into(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
  ref::Dims b = out;
  return in.size() <= out.size() && ref::broadcast_into(b, in) && b == out;
}

// Bias along the last axis, residual, activation: what the fused ops add after their base op.
struct Epilogue {
  std::string label;
  KilnActivation act = KilnActivation::None;
  std::vector<double> params;

  static Epilogue read(const Node& n) {
    Epilogue e;
    e.label = nn::node_label(n);
    const std::string name = n.attr_string("activation", "");
    const KilnActivationInfo* info = find_kiln_activation(name);
    if (!info) fail(e.label, ": unknown activation '", name, "'");
    const std::vector<float> p = n.attr_floats("activation_params");
    if (p.size() != info->param_count)
      fail(e.label, ": activation ", name, " takes ", std::to_string(info->param_count), " activation_params, got ",
           std::to_string(p.size()));
    e.act = info->kind;
    e.params.assign(p.begin(), p.end());
    return e;
  }

  double activate(double v) const {
    switch (act) {
      case KilnActivation::None: return v;
      case KilnActivation::Relu: return v > 0 ? v : 0;
      case KilnActivation::LeakyRelu: return v < 0 ? params[0] * v : v;
      case KilnActivation::Clip: return ref::clip_value(v, params[0], params[1]);
      case KilnActivation::Sigmoid: return ref::sigmoid(v);
      case KilnActivation::HardSigmoid: return ref::hard_sigmoid(v, params[0], params[1]);
      case KilnActivation::HardSwish: return ref::hard_swish(v);
      case KilnActivation::Tanh: return std::tanh(v);
      case KilnActivation::Silu: return v * ref::sigmoid(v);
      case KilnActivation::Gelu: return ref::gelu_erf(v);
      case KilnActivation::GeluTanh: return ref::gelu_tanh(v);
    }
    return v;
  }

  // y += bias, 1-D along y's last axis.
  void add_bias(RtTensor& y, const RtTensor& bias) const {
    if (bias.rank() != 1 || y.rank() == 0 || bias.dim(0) != y.shape().back() || bias.dtype() != y.dtype())
      fail(label, ": bias ", shape_str(bias.shape()), " must be 1-D along the last axis of ", shape_str(y.shape()));
    dispatch_float(y.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      T* yp = y.data<T>();
      const T* bp = bias.data<T>();
      const int64_t n = y.numel(), cols = bias.dim(0);
      for (int64_t i = 0; i < n; ++i) yp[i] = yp[i] + bp[i % cols];
    });
  }

  // out = x + z with numpy broadcasting (out may be x itself when z does not grow it).
  void add_residual(const RtTensor& x, const RtTensor& z, RtTensor& out) const {
    if (z.dtype() != x.dtype()) fail(label, ": the residual's element type differs from the output's");
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      // In place, each element is read before it is written: x's offsets are the output's.
      ref::binary_broadcast(x.data<T>(), x.shape(), z.data<T>(), z.shape(), out.data<T>(), out.shape(),
                            [](T a, T b) { return a + b; });
    });
  }

  void activate(RtTensor& y) const {
    if (act == KilnActivation::None) return;
    dispatch_float(y.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      T* yp = y.data<T>();
      ref::unary_map(yp, yp, y.numel(), [&](T v) { return static_cast<T>(activate(static_cast<double>(v))); });
    });
  }
};

// The shape of x + z under numpy broadcasting (x's when z is null).
std::vector<int64_t> sum_shape(const std::string& label, const std::vector<int64_t>& x, const RtTensor* z) {
  ref::Dims out = x;
  if (z && !ref::broadcast_into(out, z->shape()))
    fail(label, ": ", shape_str(z->shape()), " does not broadcast with ", shape_str(x));
  return out;
}

std::unique_ptr<OpKernel> make_fused_conv(const KernelInit& init) {
  const nn::ConvAttrs conv = nn::ConvAttrs::read(init.node);
  const Epilogue e = Epilogue::read(init.node);
  return nn::make_kernel([conv, e](KernelContext& ctx) {
    RtTensor& y = nn::conv_forward(ctx, conv, need_input(ctx, 0, conv.label), need_input(ctx, 1, conv.label),
                                   optional_input(ctx, 2));
    if (const RtTensor* z = optional_input(ctx, 3)) {
      if (!broadcasts_into(z->shape(), y.shape()))
        fail(e.label, ": residual ", shape_str(z->shape()), " does not broadcast to the output ", shape_str(y.shape()));
      e.add_residual(y, *z, y);
    }
    e.activate(y);
  });
}

std::unique_ptr<OpKernel> make_fused_gemm(const KernelInit& init) {
  const nn::GemmAttrs gemm = nn::GemmAttrs::read(init.node);
  const Epilogue e = Epilogue::read(init.node);
  return nn::make_kernel([gemm, e](KernelContext& ctx) {
    e.activate(nn::gemm_forward(ctx, gemm, need_input(ctx, 0, gemm.label), need_input(ctx, 1, gemm.label),
                                optional_input(ctx, 2)));
  });
}

// act(A·B + bias + Z), Z broadcasting with the product both ways, as the Add it replaces did.
std::unique_ptr<OpKernel> make_fused_matmul(const KernelInit& init) {
  const Epilogue e = Epilogue::read(init.node);
  return nn::make_kernel([e](KernelContext& ctx) {
    const RtTensor& a = need_input(ctx, 0, e.label);
    const RtTensor& b = need_input(ctx, 1, e.label);
    const RtTensor* bias = optional_input(ctx, 2);
    const RtTensor* z = optional_input(ctx, 3);
    const std::vector<int64_t> product_shape = nn::matmul_shape(e.label, a, b);
    const std::vector<int64_t> out_shape = sum_shape(e.label, product_shape, z);
    RtTensor scratch;
    RtTensor& product = out_shape == product_shape ? ctx.output(0, a.dtype(), product_shape)
                                                   : (scratch = RtTensor::allocate(a.dtype(), product_shape));
    nn::matmul_into(e.label, a, b, product);
    if (bias) e.add_bias(product, *bias);
    RtTensor& y = out_shape == product_shape ? product : ctx.output(0, a.dtype(), out_shape);
    if (z) e.add_residual(product, *z, y);
    e.activate(y);
  });
}

// [B, S, H·D] -> [B, H, S, D], or [B, H, D, S] when `transposed` (K ready for Q·Kᵀ).
RtTensor split_heads(const std::string& label, const RtTensor& x, int64_t heads, bool transposed) {
  if (x.rank() != 3 || x.dim(2) % heads != 0)
    fail(label, ": with num_heads ", std::to_string(heads), ", inputs must be [batch, seq, heads * head_size], got ",
         shape_str(x.shape()));
  const int64_t b = x.dim(0), s = x.dim(1), d = x.dim(2) / heads;
  RtTensor y = RtTensor::allocate(x.dtype(), transposed ? std::vector<int64_t>{b, heads, d, s}
                                                        : std::vector<int64_t>{b, heads, s, d});
  dispatch_float(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* yp = y.data<T>();
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t si = 0; si < s; ++si)
        for (int64_t h = 0; h < heads; ++h)
          for (int64_t di = 0; di < d; ++di) {
            const int64_t to = transposed ? ((bi * heads + h) * d + di) * s + si : ((bi * heads + h) * s + si) * d + di;
            yp[to] = xp[(bi * s + si) * heads * d + h * d + di];
          }
  });
  return y;
}

// [..., R, C] -> [..., C, R]
RtTensor transpose_last_two(const std::string& label, const RtTensor& x) {
  std::vector<int64_t> shape = x.shape();
  const size_t r = shape.size();
  std::swap(shape[r - 1], shape[r - 2]);
  RtTensor y = RtTensor::allocate(x.dtype(), shape);
  const int64_t rows = x.dim(r - 2), cols = x.dim(r - 1), mats = x.numel() / std::max<int64_t>(1, rows * cols);
  dispatch_float(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* yp = y.data<T>();
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) yp[(m * cols + j) * rows + i] = xp[(m * rows + i) * cols + j];
  });
  return y;
}

std::unique_ptr<OpKernel> make_attention(const KernelInit& init) {
  const std::string label = nn::node_label(init.node);
  const double scale = init.node.attr_float("scale", 1.f);
  const bool k_transposed = init.node.attr_int("k_transposed", 0) != 0;
  const int64_t heads = init.node.attr_int("num_heads", 0);
  if (heads < 0 || (heads > 0 && k_transposed))
    fail(label, ": num_heads must be >= 0, and k_transposed 0 when it is positive");
  return nn::make_kernel([=](KernelContext& ctx) {
    const RtTensor& q = need_input(ctx, 0, label);
    const RtTensor& k = need_input(ctx, 1, label);
    const RtTensor& v = need_input(ctx, 2, label);
    const RtTensor* mask = optional_input(ctx, 3);
    if (k.dtype() != q.dtype() || v.dtype() != q.dtype() || (mask && mask->dtype() != q.dtype()))
      fail(label, ": Q, K, V and mask have different element types");
    if (q.rank() < 2 || k.rank() < 2 || v.rank() < 2) fail(label, ": Q, K and V must have rank >= 2");
    RtTensor qs, ks, vs;
    const RtTensor& qh = heads > 0 ? (qs = split_heads(label, q, heads, false)) : q;
    const RtTensor& kt = heads > 0 ? (ks = split_heads(label, k, heads, true))
                                   : (k_transposed ? k : (ks = transpose_last_two(label, k)));
    const RtTensor& vh = heads > 0 ? (vs = split_heads(label, v, heads, false)) : v;

    RtTensor product = RtTensor::allocate(q.dtype(), nn::matmul_shape(label, qh, kt));
    nn::matmul_into(label, qh, kt, product);
    // The mask broadcasts with the scores both ways, as the Add it replaces did.
    RtTensor scores = RtTensor::allocate(q.dtype(), sum_shape(label, product.shape(), mask));
    RtTensor probs = RtTensor::allocate(q.dtype(), scores.shape());
    dispatch_float(q.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      T* pp = product.data<T>();
      ref::unary_map(pp, pp, product.numel(), [&](T s) { return static_cast<T>(s * scale); });
      T* sp = scores.data<T>();
      if (mask)
        ref::binary_broadcast(pp, product.shape(), mask->data<T>(), mask->shape(), sp, scores.shape(),
                              [](T a, T b) { return a + b; });
      else
        std::copy_n(pp, product.numel(), sp);
      const int64_t n = scores.shape().back();
      ref::softmax(sp, probs.data<T>(), scores.numel() / std::max<int64_t>(1, n), n, 1, ref::SoftmaxKind::Softmax);
    });
    if (heads == 0) {
      nn::matmul_into(label, probs, vh, ctx.output(0, q.dtype(), nn::matmul_shape(label, probs, vh)));
      return;
    }
    // [B, H, Sq, Dv] back to [B, Sq, H·Dv].
    RtTensor per_head = RtTensor::allocate(q.dtype(), nn::matmul_shape(label, probs, vh));
    if (per_head.rank() != 4 || per_head.dim(1) != heads)
      fail(label, ": the mask ", shape_str(mask->shape()), " gives the heads the shape ", shape_str(per_head.shape()));
    nn::matmul_into(label, probs, vh, per_head);
    const int64_t b = per_head.dim(0), sq = per_head.dim(2), dv = per_head.dim(3);
    RtTensor& y = ctx.output(0, q.dtype(), {b, sq, heads * dv});
    dispatch_float(q.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      const T* src = per_head.data<T>();
      T* dst = y.data<T>();
      for (int64_t bi = 0; bi < b; ++bi)
        for (int64_t h = 0; h < heads; ++h)
          for (int64_t si = 0; si < sq; ++si)
            std::copy_n(src + ((bi * heads + h) * sq + si) * dv, dv, dst + (bi * sq + si) * heads * dv + h * dv);
    });
  });
}

}  // namespace

void register_kiln_epilogue_kernels(KernelRegistry& r) {
  const std::string domain(kKilnDomain);
  r.add(KernelDef{domain, "FusedConv", 1, 1000, Backend::Ref, bind::half_storage(make_fused_conv)});
  r.add(KernelDef{domain, "FusedGemm", 1, 1000, Backend::Ref, bind::half_storage(make_fused_gemm)});
  r.add(KernelDef{domain, "FusedMatMul", 1, 1000, Backend::Ref, bind::half_storage(make_fused_matmul)});
  r.add(KernelDef{domain, "Attention", 1, 1000, Backend::Ref, bind::half_storage(make_attention)});
}

}  // namespace kiln
