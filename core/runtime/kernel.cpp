#include "core/runtime/kernel.h"

namespace kiln {

namespace {
bool same_domain(std::string_view a, std::string_view b) {
  auto norm = [](std::string_view d) { return d == "ai.onnx" ? std::string_view() : d; };
  return norm(a) == norm(b);
}
}  // namespace

const KernelRegistry& KernelRegistry::global() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    register_elementwise_kernels(r);
    register_reduce_kernels(r);
    register_nn_kernels(r);
    register_tensor_kernels(r);
    register_quant_kernels(r);
    register_control_flow_kernels(r);
    register_loss_kernels(r);
    register_kiln_pattern_kernels(r);
    register_kiln_epilogue_kernels(r);
    register_kiln_layout_kernels(r);
    register_cpu_kernels(r);
    return r;
  }();
  return registry;
}

void KernelRegistry::add(KernelDef def) { defs_.push_back(std::move(def)); }

const KernelDef* KernelRegistry::find(std::string_view domain, std::string_view op_type, int64_t opset,
                                      Backend backend) const {
  const KernelDef* fallback = nullptr;
  for (const KernelDef& d : defs_) {
    if (d.op_type != op_type || !same_domain(d.domain, domain)) continue;
    if (opset >= 0 && (opset < d.since || opset > d.until)) continue;
    if (d.backend == backend) return &d;
    if (d.backend == Backend::Ref && !fallback) fallback = &d;
  }
  return fallback;
}

}  // namespace kiln
