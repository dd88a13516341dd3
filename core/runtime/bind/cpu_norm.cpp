// Backend::Cpu Softmax and LayerNormalization on float32 rows through the dispatch table, rows
// split over the thread pool. Softmax over a non-trailing axis (opset 13+) and LayerNormalization
// with Mean/InvStdDev outputs or a non-trailing axis take the reference kernel.
#include "core/runtime/bind/cpu_common.h"

namespace kiln::cpu_bind {

namespace {

std::unique_ptr<OpKernel> make_softmax(const KernelInit& init) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const bool coerced = init.opset < 13;  // before 13: softmax over everything from axis on
  const int64_t axis_attr = init.node.attr_int("axis", coerced ? 1 : -1);
  const std::string label = bind::who_of(init.node);
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = bind::need_input(ctx, 0, label);
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (x.dtype() != DataType::Float32 || rank == 0 || axis < 0 || axis >= rank || (!coerced && axis != rank - 1))
      return fallback->compute(ctx);
    int64_t n = 1;
    for (int64_t i = axis; i < rank; ++i) n *= x.dim(static_cast<size_t>(i));
    RtTensor& y = ctx.output(0, DataType::Float32, x.shape());
    const int64_t rows = n ? x.numel() / n : 0;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    const cpu::CpuKernels& kt = cpu::cpu_kernels();
    pool_of(ctx).parallel_for(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, n)), [&](int64_t b, int64_t e) {
      kt.f32_softmax_rows(xp + b * n, yp + b * n, e - b, n);
    });
  });
}

std::unique_ptr<OpKernel> make_layer_norm(const KernelInit& init) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const int64_t axis_attr = init.node.attr_int("axis", -1);
  const float eps = init.node.attr_float("epsilon", 1e-5f);
  const std::string label = bind::who_of(init.node);
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = bind::need_input(ctx, 0, label);
    const RtTensor* scale = ctx.input(1);
    const RtTensor* bias = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    bool extra_outputs = false;
    for (size_t i = 1; i < ctx.output_count(); ++i) extra_outputs |= ctx.output_wanted(i);
    if (!scale || !all_f32({&x, scale, bias}) || rank == 0 || axis != rank - 1 || extra_outputs)
      return fallback->compute(ctx);
    const int64_t n = x.dim(static_cast<size_t>(rank - 1));
    if (scale->numel() != n || (bias && bias->numel() != n)) return fallback->compute(ctx);
    RtTensor& y = ctx.output(0, DataType::Float32, x.shape());
    const int64_t rows = n ? x.numel() / n : 0;
    const float* xp = x.data<float>();
    const float* g = scale->data<float>();
    const float* bp = bias ? bias->data<float>() : nullptr;
    float* yp = y.data<float>();
    const cpu::CpuKernels& kt = cpu::cpu_kernels();
    pool_of(ctx).parallel_for(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, n)), [&](int64_t b, int64_t e) {
      kt.f32_layernorm_rows(xp + b * n, g, bp, yp + b * n, e - b, n, eps);
    });
  });
}

}  // namespace

void register_cpu_norm_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "Softmax", 1, 1000, Backend::Cpu, make_softmax});
  r.add(KernelDef{"", "LayerNormalization", 17, 1000, Backend::Cpu, make_layer_norm});
}

}  // namespace kiln::cpu_bind
