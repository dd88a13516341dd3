// Backend::Cpu elementwise ops on float32 through the dispatch table's vector maps: activations
// (Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Gelu, Kiln Silu), Exp, Erf, and
// Add/Sub/Mul/Div for equal shapes and the broadcasts inference graphs use (a scalar, a trailing
// row, a per-channel [C, 1, 1]). Large tensors are split over the thread pool.
#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_pattern_ops.h"
#include "core/runtime/bind/cpu_common.h"
#include "kernels/cpu/ref/broadcast.h"

namespace kiln::cpu_bind {

namespace {

constexpr int64_t kGrain = 16384;  // elements per parallel chunk, at least

enum class Map { Act, Exp, Erf };

bind::KernelFactory unary(Map map, cpu::Activation act, float p0 = 0.f, float p1 = 0.f) {
  return [=](const KernelInit& init) -> std::unique_ptr<OpKernel> {
    std::shared_ptr<OpKernel> fallback = ref_kernel(init);
    cpu::Activation a = act;
    float q0 = p0, q1 = p1;
    if (init.node.op_type == "Gelu" && init.node.attr_string("approximate", "none") == "tanh") a = cpu::Activation::GeluTanh;
    if (a == cpu::Activation::LeakyRelu) q0 = init.node.attr_float("alpha", 0.01f);
    if (a == cpu::Activation::HardSigmoid) q0 = init.node.attr_float("alpha", 0.2f), q1 = init.node.attr_float("beta", 0.5f);
    const std::string label = bind::who_of(init.node);
    return bind::make_kernel([=](KernelContext& ctx) {
      const RtTensor& x = bind::need_input(ctx, 0, label);
      if (x.dtype() != DataType::Float32) return fallback->compute(ctx);
      RtTensor& y = ctx.output(0, DataType::Float32, x.shape());
      const float* xp = x.data<float>();
      float* yp = y.data<float>();
      const cpu::CpuKernels& kt = cpu::cpu_kernels();
      pool_of(ctx).parallel_for(x.numel(), kGrain, [&](int64_t b, int64_t e) {
        switch (map) {
          case Map::Act: kt.f32_activation(xp + b, yp + b, e - b, a, q0, q1); break;
          case Map::Exp: kt.f32_exp(xp + b, yp + b, e - b); break;
          case Map::Erf: kt.f32_erf(xp + b, yp + b, e - b); break;
        }
      });
    });
  };
}

bind::KernelFactory binary(cpu::BinaryOp op) {
  return [=](const KernelInit& init) -> std::unique_ptr<OpKernel> {
    std::shared_ptr<OpKernel> fallback = ref_kernel(init);
    const std::string label = bind::who_of(init.node);
    const bool commutative = op == cpu::BinaryOp::Add || op == cpu::BinaryOp::Mul;
    return bind::make_kernel([=](KernelContext& ctx) {
      const RtTensor* a = ctx.input(0);
      const RtTensor* b = ctx.input(1);
      if (!a || !b || !all_f32({a, b})) return fallback->compute(ctx);
      ref::Dims out = a->shape();
      if (!ref::broadcast_into(out, b->shape())) return fallback->compute(ctx);  // it reports
      if (a->shape() != out) {
        if (!commutative || b->shape() != out) return fallback->compute(ctx);
        std::swap(a, b);
      }
      // b's non-1 dims (right-aligned on out) must be one contiguous run equal to out's there:
      // out = [outer, mid, inner] and b = [mid].
      const size_t rank = out.size(), off = rank - b->rank();
      size_t i0 = rank, i1 = rank;
      for (size_t i = 0; i < b->rank(); ++i)
        if (b->dim(i) != 1) {
          if (i0 == rank) i0 = off + i;
          else if (i1 != rank) return fallback->compute(ctx);
          if (b->dim(i) != out[off + i]) return fallback->compute(ctx);
        } else if (out[off + i] != 1 && i0 != rank && i1 == rank) {
          i1 = off + i;
        }
      int64_t outer = 1, mid = 1, inner = 1;
      for (size_t i = 0; i < rank; ++i) (i < i0 ? outer : i < i1 ? mid : inner) *= out[i];
      RtTensor& y = ctx.output(0, DataType::Float32, out);
      const float* ap = a->data<float>();
      const float* bp = b->data<float>();
      float* yp = y.data<float>();
      const cpu::CpuKernels& kt = cpu::cpu_kernels();
      cpu::ThreadPool& pool = pool_of(ctx);
      if (mid == 1 || (outer == 1 && inner == 1)) {  // a scalar b, or equal shapes
        const int64_t stride = mid == 1 ? 0 : 1;
        pool.parallel_for(outer * mid * inner, kGrain, [&](int64_t s, int64_t e) {
          kt.f32_binary(op, ap + s, bp + s * stride, stride, yp + s, e - s);
        });
      } else if (inner == 1) {  // one row of b per outer index
        pool.parallel_for(outer, std::max<int64_t>(1, kGrain / mid), [&](int64_t s, int64_t e) {
          for (int64_t o = s; o < e; ++o) kt.f32_binary(op, ap + o * mid, bp, 1, yp + o * mid, mid);
        });
      } else {  // one value of b per (outer, mid) block of inner elements
        pool.parallel_for(outer * mid, std::max<int64_t>(1, kGrain / inner), [&](int64_t s, int64_t e) {
          for (int64_t r = s; r < e; ++r) kt.f32_binary(op, ap + r * inner, bp + r % mid, 0, yp + r * inner, inner);
        });
      }
    });
  };
}

}  // namespace

void register_cpu_elementwise_kernels(KernelRegistry& r) {
  using cpu::Activation;
  auto add = [&](std::string domain, std::string op, int64_t since, bind::KernelFactory f) {
    r.add(KernelDef{std::move(domain), std::move(op), since, 1000, Backend::Cpu, std::move(f)});
  };
  add("", "Relu", 6, unary(Map::Act, Activation::Relu));
  add("", "LeakyRelu", 6, unary(Map::Act, Activation::LeakyRelu));
  add("", "Sigmoid", 6, unary(Map::Act, Activation::Sigmoid));
  add("", "HardSigmoid", 6, unary(Map::Act, Activation::HardSigmoid));
  add("", "HardSwish", 14, unary(Map::Act, Activation::HardSwish));
  add("", "Tanh", 6, unary(Map::Act, Activation::Tanh));
  add("", "Gelu", 20, unary(Map::Act, Activation::Gelu));
  add(std::string(kKilnDomain), std::string(pattern_ops::kSilu), 1, unary(Map::Act, Activation::Silu));
  add("", "Exp", 6, unary(Map::Exp, Activation::None));
  add("", "Erf", 9, unary(Map::Erf, Activation::None));
  add("", "Add", 7, binary(cpu::BinaryOp::Add));
  add("", "Sub", 7, binary(cpu::BinaryOp::Sub));
  add("", "Mul", 7, binary(cpu::BinaryOp::Mul));
  add("", "Div", 7, binary(cpu::BinaryOp::Div));
}

}  // namespace kiln::cpu_bind
