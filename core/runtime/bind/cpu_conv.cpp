// Backend::Cpu Conv and Kiln FusedConv over kernels/cpu/conv.h: bias, residual and activation
// as the epilogue; constant weights packed once.
#include "core/ir/kiln_domain.h"
#include "core/runtime/bind/cpu_common.h"
#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/conv.h"

namespace kiln::cpu_bind {

namespace {

std::unique_ptr<OpKernel> make_conv(const KernelInit& init, bool fused) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const nn::ConvAttrs cc = nn::ConvAttrs::read(init.node);
  const cpu::Epilogue act = fused ? read_activation(init.node) : cpu::Epilogue{};
  const bool w_const = constant_input(init.node, 1);
  auto cache = std::make_shared<PackedConstant>();
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = nn::need_input(ctx, 0, cc.label);
    const RtTensor& w = nn::need_input(ctx, 1, cc.label);
    const RtTensor* b = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    const RtTensor* z = fused && ctx.input_count() > 3 ? ctx.input(3) : nullptr;
    if (!all_f32({&x, &w, b, z}) || x.rank() < 3 || x.rank() > 4) return fallback->compute(ctx);
    std::vector<int64_t> yshape;
    const ConvParams p = nn::conv_params(cc, x, w, b, yshape);
    if (!cpu::f32_conv_supported(p) || (z && z->shape() != yshape)) return fallback->compute(ctx);
    RtTensor& y = ctx.output(0, DataType::Float32, yshape);
    cpu::Epilogue e = act;
    if (b) e.row_bias = b->data<float>();
    if (z) {
      e.residual = z->data<float>();
      e.residual_row_stride = p.out[1] * p.out[2];
    }
    const cpu::CpuKernels& kt = cpu::cpu_kernels();
    const float* packed = nullptr;
    if (w_const && cpu::f32_conv_algorithm(p) != cpu::ConvAlgorithm::Depthwise) {
      if (cache->source != w.raw()) {
        cpu::f32_conv_pack_weights(kt, p, w.data<float>(), cache->buffer);
        cache->source = w.raw();
      }
      packed = cache->buffer.data();
    }
    cpu::f32_conv(kt, p, x.data<float>(), w.data<float>(), packed, y.data<float>(), e, &pool_of(ctx));
  });
}

}  // namespace

void register_cpu_conv_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "Conv", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_conv(i, false); }});
  r.add(KernelDef{std::string(kKilnDomain), "FusedConv", 1, 1000, Backend::Cpu,
                  [](const KernelInit& i) { return make_conv(i, true); }});
}

}  // namespace kiln::cpu_bind
