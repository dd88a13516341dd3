// Reference kernels for the Kiln-domain ops of the layout passes (core/ir/kiln_layout_ops.h).
// Each channels-last op runs its NCHW namesake's reference kernel between two transposes: inputs
// to NCHW (and OHWI weights to OIHW), the output back to NHWC. This is the definition the fast
// channels-last kernels are checked against, so it shares every line of attribute handling with
// the NCHW op instead of restating it.
#include <cstring>
#include <optional>

#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_layout_ops.h"
#include "core/runtime/bind/bind_util.h"
#include "kernels/cpu/ref/transform.h"

namespace kiln {

namespace {

// Any opset in which the NCHW ops have every attribute the channels-last ones copy (AveragePool
// gained dilations in 19); their kernels cover all opsets alike.
constexpr int64_t kDelegateOpset = 19;

RtTensor permuted(const RtTensor& t, const std::array<int64_t, 4>& perm, const std::string& label) {
  if (t.rank() != 4) fail(label, ": expected a 4-D tensor, got rank ", std::to_string(t.rank()));
  const int bits = dtype_bits(t.dtype());
  if (bits == 0 || bits % 8 != 0)
    fail_unsupported(label, ": element type ", std::string(dtype_name(t.dtype())), " is not supported");
  std::vector<int64_t> shape, strides;
  layout::permuted_view(t.shape(), perm, shape, strides);
  RtTensor out = RtTensor::allocate(t.dtype(), shape);
  ref::strided_copy(t.raw(), 0, strides, out.raw(), shape, static_cast<size_t>(bits / 8));
  return out;
}

// What the NCHW kernel sees: the first `permuted` inputs transposed from channels-last, the rest
// as given; its outputs land in scratch tensors that finish() transposes into the real outputs.
class NchwContext : public KernelContext {
 public:
  NchwContext(KernelContext& outer, size_t permuted_inputs, const std::string& label) : outer_(outer), label_(label) {
    inputs_.resize(outer.input_count());
    for (size_t i = 0; i < inputs_.size() && i < permuted_inputs; ++i)
      if (const RtTensor* t = outer.input(i)) inputs_[i] = permuted(*t, layout::kToNchw, label);
    scratch_.resize(outer.output_count());
  }

  size_t input_count() const override { return inputs_.size(); }
  const RtTensor* input(size_t i) const override { return inputs_[i] ? &*inputs_[i] : outer_.input(i); }
  size_t output_count() const override { return outer_.output_count(); }
  RtTensor& output(size_t i, DataType dtype, std::vector<int64_t> shape) override {
    scratch_[i] = RtTensor::allocate(dtype, std::move(shape));
    return *scratch_[i];
  }
  bool output_wanted(size_t i) const override { return outer_.output_wanted(i); }
  int threads() const override { return outer_.threads(); }
  std::vector<RtTensor> run_subgraph(const Graph&, const std::vector<RtTensor>&) override {
    fail(label_, ": has no subgraphs");
  }

  void finish() {
    for (size_t i = 0; i < scratch_.size(); ++i) {
      if (!scratch_[i]) continue;
      const RtTensor y = permuted(*scratch_[i], layout::kToNhwc, label_);
      RtTensor& out = outer_.output(i, y.dtype(), y.shape());
      if (y.nbytes()) std::memcpy(out.raw(), y.raw(), y.nbytes());
    }
  }

 private:
  KernelContext& outer_;
  const std::string& label_;
  std::vector<std::optional<RtTensor>> inputs_;
  std::vector<std::optional<RtTensor>> scratch_;
};

// A kernel for a channels-last op whose first `permuted_inputs` inputs are channels-last:
// `nchw_op`'s kernel, built from the node's own attributes.
bind::KernelFactory channels_last(std::string nchw_op, size_t permuted_inputs) {
  return [nchw_op, permuted_inputs](const KernelInit& init) {
    const std::string label = bind::who_of(init.node);
    const KernelDef* def = KernelRegistry::global().find("", nchw_op, kDelegateOpset, init.backend);
    if (!def) fail(label, ": no kernel for ", nchw_op);
    // The NCHW kernel reads only attributes (and the label) from its node, so a detached copy
    // carrying the channels-last node's name, type and attributes builds it.
    Node proxy;
    proxy.name = init.node.name;
    proxy.op_type = init.node.op_type;
    proxy.mutable_attrs() = init.node.attrs();
    std::shared_ptr<OpKernel> inner = def->create(KernelInit{proxy, kDelegateOpset, init.backend});
    return bind::make_kernel([inner, permuted_inputs, label](KernelContext& ctx) {
      NchwContext nchw(ctx, permuted_inputs, label);
      inner->compute(nchw);
      nchw.finish();
    });
  };
}

}  // namespace

void register_kiln_layout_kernels(KernelRegistry& r) {
  const std::string domain(kKilnDomain);
  const int64_t v = kKilnOpsetVersion;
  // NhwcConv: X and the OHWI weights go back to NCHW / OIHW (the same permutation); B is 1-D.
  r.add(KernelDef{domain, std::string(layout::kNhwcConv), v, v, Backend::Ref, channels_last("Conv", 2)});
  r.add(KernelDef{domain, std::string(layout::kNhwcMaxPool), v, v, Backend::Ref, channels_last("MaxPool", 1)});
  r.add(KernelDef{domain, std::string(layout::kNhwcAveragePool), v, v, Backend::Ref, channels_last("AveragePool", 1)});
  r.add(KernelDef{domain, std::string(layout::kNhwcGlobalAveragePool), v, v, Backend::Ref,
                  channels_last("GlobalAveragePool", 1)});
  r.add(KernelDef{domain, std::string(layout::kNhwcGlobalMaxPool), v, v, Backend::Ref,
                  channels_last("GlobalMaxPool", 1)});
}

}  // namespace kiln
