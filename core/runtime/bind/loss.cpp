// Loss bindings: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 12+). The math is
// small, so it lives here: inputs are widened to double, the loss is computed there and narrowed
// back to the input's element type (float16, float, double).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/bind/nn_common.h"
#include "core/runtime/kernel.h"
#include "core/util/error.h"

namespace kiln {

namespace {

using nn::make_kernel;
using nn::need_input;
using nn::node_label;

enum class Reduction { None, Sum, Mean };

Reduction parse_reduction(const Node& node, const std::string& label) {
  const std::string r = node.attr_string("reduction", "mean");
  if (r == "none") return Reduction::None;
  if (r == "sum") return Reduction::Sum;
  if (r == "mean") return Reduction::Mean;
  fail_unsupported(label, ": unsupported reduction '", r, "' (none, sum, mean)");
}

bool is_loss_float(DataType dt) {
  return dt == DataType::Float32 || dt == DataType::Float64 || dt == DataType::Float16;
}

std::vector<double> load_float(const RtTensor& t, const std::string& label, const char* what) {
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<double> v(n);
  switch (t.dtype()) {
    case DataType::Float32:
      for (size_t i = 0; i < n; ++i) v[i] = t.data<float>()[i];
      break;
    case DataType::Float64:
      for (size_t i = 0; i < n; ++i) v[i] = t.data<double>()[i];
      break;
    case DataType::Float16:
      for (size_t i = 0; i < n; ++i) v[i] = half_to_float(t.data<uint16_t>()[i]);
      break;
    default:
      fail_unsupported(label, ": ", what, " has unsupported element type ", std::string(dtype_name(t.dtype())),
           " (float16, float, double)");
  }
  return v;
}

void store_float(RtTensor& t, const std::vector<double>& v) {
  const size_t n = v.size();
  switch (t.dtype()) {
    case DataType::Float32:
      for (size_t i = 0; i < n; ++i) t.data<float>()[i] = static_cast<float>(v[i]);
      break;
    case DataType::Float64:
      for (size_t i = 0; i < n; ++i) t.data<double>()[i] = v[i];
      break;
    case DataType::Float16:
      for (size_t i = 0; i < n; ++i) t.data<uint16_t>()[i] = float_to_half(static_cast<float>(v[i]));
      break;
    default:
      break;
  }
}

std::vector<int64_t> load_index(const RtTensor& t, const std::string& label) {
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<int64_t> v(n);
  if (t.dtype() == DataType::Int64) {
    for (size_t i = 0; i < n; ++i) v[i] = t.data<int64_t>()[i];
  } else if (t.dtype() == DataType::Int32) {
    for (size_t i = 0; i < n; ++i) v[i] = t.data<int32_t>()[i];
  } else {
    fail_unsupported(label, ": target has unsupported element type ", std::string(dtype_name(t.dtype())), " (int32, int64)");
  }
  return v;
}

struct LossAttrs {
  Reduction reduction = Reduction::Mean;
  bool has_ignore = false;
  int64_t ignore_index = 0;
};

LossAttrs read_attrs(const Node& node, const std::string& label) {
  LossAttrs a;
  a.reduction = parse_reduction(node, label);
  a.has_ignore = node.has_attr("ignore_index");
  a.ignore_index = node.attr_int("ignore_index", 0);
  return a;
}

// Loss of log-probabilities lp laid out [N, C, D] against target [N, D]; writes output 0.
void nll_core(KernelContext& ctx, const std::string& label, const LossAttrs& a, DataType dt, int64_t n, int64_t c,
              int64_t d, const std::vector<double>& lp, const RtTensor& target, const RtTensor* weight) {
  const std::vector<int64_t> t = load_index(target, label);
  if (static_cast<int64_t>(t.size()) != n * d) fail(label, ": target ", shape_str(target.shape()), " does not match the input");
  std::vector<double> w;
  if (weight) {
    if (weight->rank() != 1 || weight->dim(0) != c)
      fail(label, ": weight ", shape_str(weight->shape()), " must be [", std::to_string(c), "]");
    if (weight->dtype() != dt) fail(label, ": weight has a different element type than the input");
    w = load_float(*weight, label, "weight");
  }
  std::vector<double> loss(static_cast<size_t>(n * d));
  double weight_sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      const size_t k = static_cast<size_t>(i * d + j);
      const int64_t cls = t[k];
      if (a.has_ignore && cls == a.ignore_index) {
        loss[k] = 0.0;
        continue;
      }
      if (cls < 0 || cls >= c)
        fail(label, ": target ", std::to_string(cls), " is out of range for ", std::to_string(c), " classes");
      const double wt = weight ? w[static_cast<size_t>(cls)] : 1.0;
      loss[k] = -lp[static_cast<size_t>((i * c + cls) * d + j)] * wt;
      weight_sum += wt;
    }
  if (a.reduction == Reduction::None) {
    RtTensor& out = ctx.output(0, dt, target.shape());
    store_float(out, loss);
    return;
  }
  double total = 0.0;
  for (double v : loss) total += v;
  if (a.reduction == Reduction::Mean) total /= weight_sum;  // 0/0 = NaN when everything is ignored
  RtTensor& out = ctx.output(0, dt, {});
  store_float(out, {total});
}

struct Ncd {
  int64_t n, c, d;
};

Ncd ncd_of(const RtTensor& x, const RtTensor& target, const std::string& label) {
  if (x.rank() < 2) fail(label, ": input must have rank >= 2, got ", shape_str(x.shape()));
  Ncd r{x.dim(0), x.dim(1), 1};
  for (size_t i = 2; i < x.rank(); ++i) r.d *= x.dim(i);
  bool ok = target.rank() + 1 == x.rank() && target.dim(0) == r.n;
  for (size_t i = 1; ok && i < target.rank(); ++i) ok = target.dim(i) == x.dim(i + 1);
  if (!ok) fail(label, ": target ", shape_str(target.shape()), " does not match input ", shape_str(x.shape()));
  return r;
}

std::unique_ptr<OpKernel> make_nll(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const LossAttrs a = read_attrs(init.node, label);
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const RtTensor& target = need_input(ctx, 1, label);
    const RtTensor* weight = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    if (!is_loss_float(x.dtype()))
      fail_unsupported(label, ": unsupported element type ", std::string(dtype_name(x.dtype())), " (float16, float, double)");
    const Ncd s = ncd_of(x, target, label);
    const std::vector<double> lp = load_float(x, label, "input");
    nll_core(ctx, label, a, x.dtype(), s.n, s.c, s.d, lp, target, weight);
  });
}

std::unique_ptr<OpKernel> make_sce(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const LossAttrs a = read_attrs(init.node, label);
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const RtTensor& labels = need_input(ctx, 1, label);
    const RtTensor* weight = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    if (!is_loss_float(x.dtype()))
      fail_unsupported(label, ": unsupported element type ", std::string(dtype_name(x.dtype())), " (float16, float, double)");
    const Ncd s = ncd_of(x, labels, label);
    std::vector<double> lp = load_float(x, label, "scores");
    // LogSoftmax over axis 1.
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t j = 0; j < s.d; ++j) {
        const auto at = [&](int64_t cls) -> double& { return lp[static_cast<size_t>((i * s.c + cls) * s.d + j)]; };
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t cls = 0; cls < s.c; ++cls) mx = std::max(mx, at(cls));
        double sum = 0.0;
        for (int64_t cls = 0; cls < s.c; ++cls) sum += std::exp(at(cls) - mx);
        const double lse = mx + std::log(sum);
        for (int64_t cls = 0; cls < s.c; ++cls) at(cls) -= lse;
      }
    nll_core(ctx, label, a, x.dtype(), s.n, s.c, s.d, lp, labels, weight);
    if (ctx.output_count() > 1 && ctx.output_wanted(1)) {
      RtTensor& out = ctx.output(1, x.dtype(), x.shape());
      store_float(out, lp);
    }
  });
}

}  // namespace

void register_loss_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "NegativeLogLikelihoodLoss", 12, 1000, Backend::Ref, make_nll});
  r.add(KernelDef{"", "SoftmaxCrossEntropyLoss", 12, 1000, Backend::Ref, make_sce});
}

}  // namespace kiln
