// bind::half_storage: float16/bfloat16 tensors through kernels that compute in float.
#include <optional>

#include "core/runtime/bind/bind_util.h"

namespace kiln::bind {
namespace {

// Presents widened inputs to the wrapped kernel and collects its float outputs in scratch
// tensors, which finish() rounds into the real outputs.
class HalfContext : public KernelContext {
 public:
  HalfContext(KernelContext& outer, DataType half) : outer_(outer), half_(half) {
    inputs_.resize(outer.input_count());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const RtTensor* t = outer.input(i);
      if (t && is_half_float(t->dtype())) inputs_[i] = widen_to_float(*t);
    }
    scratch_.resize(outer.output_count());
  }

  size_t input_count() const override { return inputs_.size(); }
  const RtTensor* input(size_t i) const override {
    return inputs_[i] ? &*inputs_[i] : outer_.input(i);
  }
  size_t output_count() const override { return outer_.output_count(); }
  RtTensor& output(size_t i, DataType dtype, std::vector<int64_t> shape) override {
    if (dtype != DataType::Float32) return outer_.output(i, dtype, std::move(shape));
    scratch_[i] = RtTensor::allocate(DataType::Float32, std::move(shape));
    return *scratch_[i];
  }
  bool output_wanted(size_t i) const override { return outer_.output_wanted(i); }
  int threads() const override { return outer_.threads(); }
  std::vector<RtTensor> run_subgraph(const Graph& body, const std::vector<RtTensor>& inputs) override {
    return outer_.run_subgraph(body, inputs);
  }

  void finish() {
    for (size_t i = 0; i < scratch_.size(); ++i)
      if (scratch_[i]) narrow_from_float(*scratch_[i], outer_.output(i, half_, scratch_[i]->shape()));
  }

 private:
  KernelContext& outer_;
  DataType half_;
  std::vector<std::optional<RtTensor>> inputs_;
  std::vector<std::optional<RtTensor>> scratch_;
};

class HalfStorageKernel : public OpKernel {
 public:
  explicit HalfStorageKernel(std::unique_ptr<OpKernel> inner) : inner_(std::move(inner)) {}
  void compute(KernelContext& ctx) override {
    const RtTensor* x = ctx.input_count() ? ctx.input(0) : nullptr;
    if (!x || !is_half_float(x->dtype())) return inner_->compute(ctx);
    HalfContext half(ctx, x->dtype());
    inner_->compute(half);
    half.finish();
  }

 private:
  std::unique_ptr<OpKernel> inner_;
};

}  // namespace

KernelFactory half_storage(KernelFactory make) {
  return [make = std::move(make)](const KernelInit& init) -> std::unique_ptr<OpKernel> {
    return std::make_unique<HalfStorageKernel>(make(init));
  };
}

}  // namespace kiln::bind
