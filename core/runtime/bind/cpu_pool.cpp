// Backend::Cpu MaxPool, AveragePool and GlobalAveragePool on float32 NCHW with 2-D windows
// through kernels/cpu/pool.h. ceil_mode, dilations, SAME padding, MaxPool's Indices output and
// other ranks take the reference kernel.
#include "core/runtime/bind/cpu_common.h"
#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/pool.h"

namespace kiln::cpu_bind {

namespace {

std::unique_ptr<OpKernel> make_pool(const KernelInit& init, bool max) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const std::string label = bind::who_of(init.node);
  nn::SpatialAttrs sa = nn::SpatialAttrs::read(init.node);
  const bool ceil_mode = init.node.attr_int("ceil_mode", 0) != 0;
  const bool count_include_pad = init.node.attr_int("count_include_pad", 0) != 0;
  bool ok = !ceil_mode && sa.kernel_shape.size() == 2 && (sa.auto_pad == "NOTSET" || sa.auto_pad == "VALID");
  if (ok) {
    sa.resolve(2, label);
    ok = sa.dilations[0] == 1 && sa.dilations[1] == 1;
    // A window wholly inside the padding has no cell to take the max or average of.
    ok = ok && sa.pads[0] < sa.kernel_shape[0] && sa.pads[1] < sa.kernel_shape[1] && sa.pads[2] < sa.kernel_shape[0] &&
         sa.pads[3] < sa.kernel_shape[1];
    if (sa.auto_pad == "VALID") sa.pads.assign(4, 0);
  }
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = bind::need_input(ctx, 0, label);
    const bool indices = ctx.output_count() > 1 && ctx.output_wanted(1);
    if (!ok || indices || x.dtype() != DataType::Float32 || x.rank() != 4) return fallback->compute(ctx);
    cpu::Pool2dParams p;
    p.planes = x.dim(0) * x.dim(1), p.in_h = x.dim(2), p.in_w = x.dim(3);
    p.kernel_h = sa.kernel_shape[0], p.kernel_w = sa.kernel_shape[1];
    p.stride_h = sa.strides[0], p.stride_w = sa.strides[1];
    p.pad_top = sa.pads[0], p.pad_left = sa.pads[1];
    p.count_include_pad = count_include_pad;
    const int64_t span_h = p.in_h + sa.pads[0] + sa.pads[2] - p.kernel_h;
    const int64_t span_w = p.in_w + sa.pads[1] + sa.pads[3] - p.kernel_w;
    if (span_h < 0 || span_w < 0) return fallback->compute(ctx);  // it reports
    p.out_h = span_h / p.stride_h + 1, p.out_w = span_w / p.stride_w + 1;
    RtTensor& y = ctx.output(0, DataType::Float32, {x.dim(0), x.dim(1), p.out_h, p.out_w});
    if (max)
      cpu::f32_maxpool2d(p, x.data<float>(), y.data<float>(), &pool_of(ctx));
    else
      cpu::f32_avgpool2d(p, x.data<float>(), y.data<float>(), &pool_of(ctx));
  });
}

std::unique_ptr<OpKernel> make_global_avgpool(const KernelInit& init) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const std::string label = bind::who_of(init.node);
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = bind::need_input(ctx, 0, label);
    if (x.dtype() != DataType::Float32 || x.rank() < 3) return fallback->compute(ctx);
    std::vector<int64_t> shape = x.shape();
    int64_t size = 1;
    for (size_t i = 2; i < shape.size(); ++i) size *= shape[i], shape[i] = 1;
    RtTensor& y = ctx.output(0, DataType::Float32, shape);
    cpu::f32_global_avgpool(x.dim(0) * x.dim(1), size, x.data<float>(), y.data<float>(), &pool_of(ctx));
  });
}

}  // namespace

void register_cpu_pool_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "MaxPool", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_pool(i, true); }});
  r.add(KernelDef{"", "AveragePool", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_pool(i, false); }});
  r.add(KernelDef{"", "GlobalAveragePool", 1, 1000, Backend::Cpu, make_global_avgpool});
}

}  // namespace kiln::cpu_bind
