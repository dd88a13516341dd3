// Backend::Cpu Kiln Attention with num_heads (Q, K, V as [B, S, H·D]): per (batch, head),
// scores = scale · Q·Kᵀ + mask as one GEMM with the scale and mask in its epilogue, reading the
// heads in place (no split or transpose copies), a row softmax, then P·V written straight into
// the merged [B, Sq, H·Dv] output. (batch, head) pairs run in parallel.
#include "core/ir/kiln_domain.h"
#include "core/runtime/bind/cpu_common.h"
#include "kernels/cpu/gemm.h"

namespace kiln::cpu_bind {

namespace {

thread_local cpu::AlignedBuffer t_scores;

std::unique_ptr<OpKernel> make_attention(const KernelInit& init) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const std::string label = bind::who_of(init.node);
  const float scale = init.node.attr_float("scale", 1.f);
  const int64_t heads = init.node.attr_int("num_heads", 0);
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor* q = ctx.input(0);
    const RtTensor* k = ctx.input(1);
    const RtTensor* v = ctx.input(2);
    const RtTensor* mask = ctx.input_count() > 3 ? ctx.input(3) : nullptr;
    if (heads <= 0 || !q || !k || !v || !all_f32({q, k, v, mask}) || q->rank() != 3 || k->rank() != 3 ||
        v->rank() != 3)
      return fallback->compute(ctx);
    const int64_t bsz = q->dim(0), sq = q->dim(1), sk = k->dim(1), hd = q->dim(2), hdv = v->dim(2);
    if (k->dim(0) != bsz || v->dim(0) != bsz || v->dim(1) != sk || k->dim(2) != hd || hd % heads || hdv % heads)
      return fallback->compute(ctx);
    const int64_t d = hd / heads, dv = hdv / heads;
    // The mask must broadcast into [B, H, Sq, Sk] without growing it; its strides over those dims.
    int64_t ms[4] = {0, 0, 0, 0};
    if (mask) {
      if (mask->rank() > 4) return fallback->compute(ctx);
      const int64_t full[4] = {bsz, heads, sq, sk};
      int64_t stride = 1;
      for (size_t i = 0; i < mask->rank(); ++i) {
        const size_t md = mask->rank() - 1 - i, od = 3 - i;
        const int64_t size = mask->dim(md);
        if (size != 1 && size != full[od]) return fallback->compute(ctx);
        ms[od] = size == 1 ? 0 : stride;
        stride *= size;
      }
    }
    RtTensor& y = ctx.output(0, DataType::Float32, {bsz, sq, hdv});
    const float* qp = q->data<float>();
    const float* kp = k->data<float>();
    const float* vp = v->data<float>();
    float* yp = y.data<float>();
    const cpu::CpuKernels& kt = cpu::cpu_kernels();
    auto one = [&](int64_t task) {
      const int64_t b = task / heads, h = task % heads;
      t_scores.resize(static_cast<size_t>(std::max<int64_t>(1, sq * sk)));
      float* s = t_scores.data();
      cpu::Epilogue e;
      e.alpha = scale;
      if (mask) {
        e.residual = mask->data<float>() + b * ms[0] + h * ms[1];
        e.residual_row_stride = ms[2];
        e.residual_col_stride = ms[3];
      }
      cpu::f32_gemm(kt, sq, sk, d, cpu::GemmOperand{qp + b * sq * hd + h * d, hd, 1, nullptr},
                    cpu::GemmOperand{kp + b * sk * hd + h * d, 1, hd, nullptr}, s, sk, e);
      kt.f32_softmax_rows(s, s, sq, sk);
      cpu::f32_gemm(kt, sq, dv, sk, cpu::GemmOperand{s, sk, 1, nullptr},
                    cpu::GemmOperand{vp + b * sk * hdv + h * dv, hdv, 1, nullptr}, yp + b * sq * hdv + h * dv, hdv,
                    cpu::Epilogue{});
    };
    pool_of(ctx).run(bsz * heads, one);
  });
}

}  // namespace

void register_cpu_attention_kernels(KernelRegistry& r) {
  r.add(KernelDef{std::string(kKilnDomain), "Attention", 1, 1000, Backend::Cpu, make_attention});
}

}  // namespace kiln::cpu_bind
