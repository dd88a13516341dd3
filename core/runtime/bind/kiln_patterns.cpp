// Reference kernels for the Kiln-domain ops of the patterns passes (core/ir/kiln_pattern_ops.h).
#include <string>

#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_pattern_ops.h"
#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/broadcast.h"
#include "kernels/cpu/ref/elementwise.h"
#include "kernels/cpu/ref/norm.h"

namespace kiln {

namespace {

using bind::make_kernel;
using bind::need_input;
using bind::who_of;
using nn::dispatch_float;

// An ai.kiln op that is its ONNX namesake runs the ONNX kernel, built from the Kiln node as if it
// were the ONNX op at the opset that introduced it: the factories read only the node's
// attributes, which the two share.
KernelDef same_as_onnx(std::string op, int64_t onnx_opset) {
  KernelDef def{std::string(kKilnDomain), op, 1, 1000, Backend::Ref, nullptr};
  def.create = [op, onnx_opset](const KernelInit& in) {
    const KernelDef* onnx = KernelRegistry::global().find("", op, onnx_opset, in.backend);
    if (!onnx) fail(who_of(in.node), ": no ONNX ", op, " kernel to run it with");
    return onnx->create(KernelInit{in.node, onnx_opset, in.backend});
  };
  return def;
}

// Silu(X) = X * Sigmoid(X).
std::unique_ptr<OpKernel> make_silu(const KernelInit& init) {
  const std::string who = who_of(init.node);
  return make_kernel([who](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, who);
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), who, [&](auto tag) {
      using T = decltype(tag);
      ref::unary_map(x.data<T>(), y.data<T>(), x.numel(),
                     [](T v) { return static_cast<T>(v * ref::sigmoid(v)); });
    });
  });
}

// SkipLayerNormalization(input, skip, gamma, beta?, bias?) -> (Y, sum?).
std::unique_ptr<OpKernel> make_skip_layer_norm(const KernelInit& init) {
  const std::string who = who_of(init.node);
  const double eps = init.node.attr_float("epsilon", 1e-5f);
  return make_kernel([who, eps](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, who);
    const RtTensor& skip = need_input(ctx, 1, who);
    const RtTensor& gamma = need_input(ctx, 2, who);
    const RtTensor* beta = ctx.input_count() > 3 ? ctx.input(3) : nullptr;
    const RtTensor* bias = ctx.input_count() > 4 ? ctx.input(4) : nullptr;
    if (x.rank() < 1) fail(who, ": input must have rank >= 1");
    const int64_t hidden = x.dim(x.rank() - 1);
    const int64_t rows = hidden ? x.numel() / hidden : 0;
    ref::Dims out = x.shape();
    if (!ref::broadcast_into(out, skip.shape()) || out != x.shape())
      fail(who, ": skip ", shape_str(skip.shape()), " does not broadcast into input ", shape_str(x.shape()));
    const RtTensor* vecs[] = {&gamma, beta, bias};
    const char* names[] = {"gamma", "beta", "bias"};
    for (size_t i = 0; i < 3; ++i) {
      if (!vecs[i]) continue;
      if (vecs[i]->numel() != hidden) fail(who, ": ", names[i], " ", shape_str(vecs[i]->shape()), " must hold ", std::to_string(hidden), " values");
      if (vecs[i]->dtype() != x.dtype()) fail(who, ": ", names[i], " has a different element type than input");
    }
    if (skip.dtype() != x.dtype()) fail(who, ": skip has a different element type than input");
    RtTensor sum_scratch;
    RtTensor* sum = nullptr;
    if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
      sum = &ctx.output(1, x.dtype(), x.shape());
    } else {
      sum_scratch = RtTensor::allocate(x.dtype(), x.shape());
      sum = &sum_scratch;
    }
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), who, [&](auto tag) {
      using T = decltype(tag);
      const T* xp = x.data<T>();
      const T* sp = skip.data<T>();
      const T* bp = bias ? bias->data<T>() : nullptr;
      T* s = sum->data<T>();
      // Bias first, then skip: the order of the Adds this op replaces.
      ref::for_each_broadcast<1>(out, {ref::broadcast_strides(skip.shape(), out)},
                                 [&](int64_t i, const std::array<int64_t, 1>& o) {
                                   const T biased = bp ? static_cast<T>(xp[i] + bp[i % hidden]) : xp[i];
                                   s[i] = static_cast<T>(biased + sp[o[0]]);
                                 });
      layer_norm_ref<T>(rows, hidden, s, gamma.data<T>(), beta ? beta->data<T>() : nullptr, eps, y.data<T>(),
                        nullptr, nullptr);
    });
  });
}

}  // namespace

void register_kiln_pattern_kernels(KernelRegistry& r) {
  for (const pattern_ops::OnnxNamesake& n : pattern_ops::kOnnxNamesakes) r.add(same_as_onnx(std::string(n.op), n.onnx_opset));
  const std::string d(kKilnDomain);
  r.add(KernelDef{d, std::string(pattern_ops::kSilu), 1, 1000, Backend::Ref, bind::half_storage(make_silu)});
  r.add(KernelDef{d, std::string(pattern_ops::kSkipLayerNormalization), 1, 1000, Backend::Ref,
                  bind::half_storage(make_skip_layer_norm)});
}

}  // namespace kiln
