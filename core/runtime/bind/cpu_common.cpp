#include "core/runtime/bind/cpu_common.h"

#include "core/ir/kiln_epilogue_ops.h"

namespace kiln {

void register_cpu_kernels(KernelRegistry& r) {
  cpu_bind::register_cpu_gemm_kernels(r);
  cpu_bind::register_cpu_conv_kernels(r);
  cpu_bind::register_cpu_attention_kernels(r);
  cpu_bind::register_cpu_elementwise_kernels(r);
  cpu_bind::register_cpu_norm_kernels(r);
  cpu_bind::register_cpu_pool_kernels(r);
}

namespace cpu_bind {

std::shared_ptr<OpKernel> ref_kernel(const KernelInit& init) {
  const KernelDef* def = KernelRegistry::global().find(init.node.domain, init.node.op_type, init.opset, Backend::Ref);
  if (!def) fail(bind::who_of(init.node), ": no reference kernel");
  return def->create(KernelInit{init.node, init.opset, Backend::Ref});
}

bool constant_input(const Node& n, size_t i) {
  const Value* v = n.input(i);
  return v && v->constant() != nullptr;
}

cpu::Epilogue read_activation(const Node& n) {
  cpu::Epilogue e;
  const KilnActivationInfo* info = find_kiln_activation(n.attr_string("activation", ""));
  const std::vector<float> p = n.attr_floats("activation_params");
  if (!info || p.size() != info->param_count) return e;  // the Ref kernel has already rejected it
  switch (info->kind) {
    case KilnActivation::None: e.act = cpu::Activation::None; break;
    case KilnActivation::Relu: e.act = cpu::Activation::Relu; break;
    case KilnActivation::LeakyRelu: e.act = cpu::Activation::LeakyRelu; break;
    case KilnActivation::Clip: e.act = cpu::Activation::Clip; break;
    case KilnActivation::Sigmoid: e.act = cpu::Activation::Sigmoid; break;
    case KilnActivation::HardSigmoid: e.act = cpu::Activation::HardSigmoid; break;
    case KilnActivation::HardSwish: e.act = cpu::Activation::HardSwish; break;
    case KilnActivation::Tanh: e.act = cpu::Activation::Tanh; break;
    case KilnActivation::Silu: e.act = cpu::Activation::Silu; break;
    case KilnActivation::Gelu: e.act = cpu::Activation::Gelu; break;
    case KilnActivation::GeluTanh: e.act = cpu::Activation::GeluTanh; break;
  }
  if (p.size() > 0) e.p0 = p[0];
  if (p.size() > 1) e.p1 = p[1];
  return e;
}

bool all_f32(std::initializer_list<const RtTensor*> ts) {
  for (const RtTensor* t : ts)
    if (t && t->dtype() != DataType::Float32) return false;
  return true;
}

}  // namespace cpu_bind
}  // namespace kiln
