// Normalization bindings: BatchNormalization (inference), InstanceNormalization,
// LayerNormalization, RMSNormalization, GroupNormalization, LRN.
#include <algorithm>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/norm.h"

namespace kiln::nn {

namespace {

// [N, C, S] view of a tensor of rank >= 2.
struct Ncs {
  int64_t n, c, s;
};
Ncs ncs_of(const RtTensor& x, const std::string& label) {
  if (x.rank() < 2) fail(label, ": X must have rank >= 2, got ", shape_str(x.shape()));
  Ncs r{x.dim(0), x.dim(1), 1};
  for (size_t i = 2; i < x.rank(); ++i) r.s *= x.dim(i);
  return r;
}

void check_vec(const RtTensor& t, int64_t len, DataType dt, const std::string& label, const char* what,
               bool any_rank = false) {
  if (t.dtype() != dt) fail(label, ": ", what, " has a different element type than X");
  if (t.numel() != len || (t.rank() > 1 && !any_rank))
    fail(label, ": ", what, " ", shape_str(t.shape()), " must be [", std::to_string(len), "]");
}

std::unique_ptr<OpKernel> make_batch_norm(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const double eps = init.node.attr_float("epsilon", 1e-5f);
  const double momentum = init.node.attr_float("momentum", 0.9f);
  const bool training = init.node.attr_int("training_mode", 0) != 0;
  // Before opset 9, spatial=0 gives every element of a sample (C x D1 x ...) its own statistics:
  // the same computation with C*D channels of one element each.
  const bool per_element = init.opset < 9 && init.node.attr_int("spatial", 1) == 0;
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    Ncs d = ncs_of(x, label);
    if (per_element) {
      d.c *= d.s;
      d.s = 1;
    }
    const char* names[] = {"scale", "B", "mean", "var"};
    const RtTensor* v[4];
    for (size_t i = 0; i < 4; ++i) {
      v[i] = &need_input(ctx, i + 1, label);
      check_vec(*v[i], d.c, x.dtype(), label, names[i], per_element);
    }
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      if (!training) {
        batch_norm_ref<T>(d.n, d.c, d.s, x.data<T>(), v[0]->data<T>(), v[1]->data<T>(), v[2]->data<T>(),
                          v[3]->data<T>(), eps, y.data<T>());
        return;
      }
      // Training mode normalizes with the batch's own statistics (population variance) and
      // blends them into the running ones: running = input * momentum + batch * (1 - momentum).
      std::vector<T> mean(static_cast<size_t>(d.c)), var(mean.size());
      const T* xp = x.data<T>();
      const double count = static_cast<double>(d.n * d.s);
      for (int64_t c = 0; c < d.c; ++c) {
        double sum = 0.0, sq = 0.0;
        for (int64_t n = 0; n < d.n; ++n)
          for (int64_t e = 0; e < d.s; ++e) sum += xp[(n * d.c + c) * d.s + e];
        const double m = count > 0 ? sum / count : 0.0;
        for (int64_t n = 0; n < d.n; ++n)
          for (int64_t e = 0; e < d.s; ++e) {
            const double dv = xp[(n * d.c + c) * d.s + e] - m;
            sq += dv * dv;
          }
        mean[c] = static_cast<T>(m);
        var[c] = static_cast<T>(count > 0 ? sq / count : 0.0);
      }
      batch_norm_ref<T>(d.n, d.c, d.s, xp, v[0]->data<T>(), v[1]->data<T>(), mean.data(), var.data(), eps, y.data<T>());
      for (size_t i = 1; i <= 2 && i < ctx.output_count(); ++i) {
        if (!ctx.output_wanted(i)) continue;
        const T* in = v[i + 1]->data<T>();
        const std::vector<T>& batch = i == 1 ? mean : var;
        T* out = ctx.output(i, x.dtype(), {d.c}).template data<T>();
        for (int64_t c = 0; c < d.c; ++c) out[c] = static_cast<T>(in[c] * momentum + batch[c] * (1.0 - momentum));
      }
    });
  });
}

std::unique_ptr<OpKernel> make_instance_norm(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const double eps = init.node.attr_float("epsilon", 1e-5f);
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const RtTensor& scale = need_input(ctx, 1, label);
    const RtTensor& bias = need_input(ctx, 2, label);
    const Ncs d = ncs_of(x, label);
    check_vec(scale, d.c, x.dtype(), label, "scale");
    check_vec(bias, d.c, x.dtype(), label, "B");
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      instance_norm_ref<T>(d.n, d.c, d.s, x.data<T>(), scale.data<T>(), bias.data<T>(), eps, y.data<T>());
    });
  });
}

// Expands t (broadcastable, right-aligned) to `to`.
template <class T>
std::vector<T> expand(const RtTensor& t, const std::vector<int64_t>& to, const std::string& label, const char* what) {
  const std::vector<int64_t>& from = t.shape();
  if (from.size() > to.size()) fail(label, ": ", what, " ", shape_str(from), " does not broadcast to ", shape_str(to));
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i])
      fail(label, ": ", what, " ", shape_str(from), " does not broadcast to ", shape_str(to));
  const int64_t total = shape_numel(to);
  std::vector<T> out(static_cast<size_t>(total));
  for (int64_t o = 0; o < total; ++o) {
    int64_t rem = o, src = 0, stride = 1;
    for (size_t i = to.size(); i-- > lead;) {
      const int64_t idx = rem % to[i];
      rem /= to[i];
      const int64_t fd = from[i - lead];
      if (fd != 1) src += idx * stride;
      stride *= fd;
    }
    out[static_cast<size_t>(o)] = t.data<T>()[src];
  }
  return out;
}

std::unique_ptr<OpKernel> make_layer_norm(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const double eps = init.node.attr_float("epsilon", 1e-5f);
  const int64_t axis_attr = init.node.attr_int("axis", -1);
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const RtTensor& scale = need_input(ctx, 1, label);
    const RtTensor* bias = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (axis < 0 || axis >= rank) fail(label, ": axis ", std::to_string(axis_attr), " is out of range for rank ", std::to_string(rank));
    if (scale.dtype() != x.dtype() || (bias && bias->dtype() != x.dtype()))
      fail(label, ": X, Scale and B have different element types");
    const std::vector<int64_t> inner_shape(x.shape().begin() + axis, x.shape().end());
    const int64_t inner = shape_numel(inner_shape), outer = x.numel() / std::max<int64_t>(inner, 1);
    std::vector<int64_t> stat_shape(x.shape().begin(), x.shape().begin() + axis);
    stat_shape.resize(x.rank(), 1);
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    RtTensor* mean = ctx.output_count() > 1 && ctx.output_wanted(1) ? &ctx.output(1, x.dtype(), stat_shape) : nullptr;
    RtTensor* inv = ctx.output_count() > 2 && ctx.output_wanted(2) ? &ctx.output(2, x.dtype(), stat_shape) : nullptr;
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      const std::vector<T> s = expand<T>(scale, inner_shape, label, "Scale");
      const std::vector<T> b = bias ? expand<T>(*bias, inner_shape, label, "B") : std::vector<T>();
      layer_norm_ref<T>(outer, inner, x.data<T>(), s.data(), bias ? b.data() : nullptr, eps, y.data<T>(),
                        mean ? mean->data<T>() : nullptr, inv ? inv->data<T>() : nullptr);
    });
  });
}

// RMSNormalization (opset 23): X / sqrt(mean(X^2) + epsilon) * scale over the axes from `axis` on.
std::unique_ptr<OpKernel> make_rms_norm(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const double eps = init.node.attr_float("epsilon", 1e-5f);
  const int64_t axis_attr = init.node.attr_int("axis", -1);
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const RtTensor& scale = need_input(ctx, 1, label);
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
    if (axis < 0 || axis >= rank) fail(label, ": axis ", std::to_string(axis_attr), " is out of range for rank ", std::to_string(rank));
    if (scale.dtype() != x.dtype()) fail(label, ": X and scale have different element types");
    const std::vector<int64_t> inner_shape(x.shape().begin() + axis, x.shape().end());
    const int64_t inner = shape_numel(inner_shape), outer = x.numel() / std::max<int64_t>(inner, 1);
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      const std::vector<T> s = expand<T>(scale, inner_shape, label, "scale");
      rms_norm_ref<T>(outer, inner, x.data<T>(), s.data(), eps, y.data<T>());
    });
  });
}

std::unique_ptr<OpKernel> make_group_norm(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const double eps = init.node.attr_float("epsilon", 1e-5f);
  const int64_t groups = init.node.attr_int("num_groups", 0);
  if (groups < 1) fail(label, ": num_groups must be given and positive");
  const bool per_channel = init.opset >= 21;
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const RtTensor& scale = need_input(ctx, 1, label);
    const RtTensor& bias = need_input(ctx, 2, label);
    const Ncs d = ncs_of(x, label);
    if (d.c % groups != 0)
      fail(label, ": ", std::to_string(d.c), " channels do not split into ", std::to_string(groups), " groups");
    const int64_t len = per_channel ? d.c : groups;
    check_vec(scale, len, x.dtype(), label, "scale");
    check_vec(bias, len, x.dtype(), label, "bias");
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      group_norm_ref<T>(d.n, d.c, d.s, groups, per_channel, x.data<T>(), scale.data<T>(), bias.data<T>(), eps,
                        y.data<T>());
    });
  });
}

std::unique_ptr<OpKernel> make_lrn(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const double alpha = init.node.attr_float("alpha", 1e-4f);
  const double beta = init.node.attr_float("beta", 0.75f);
  const double bias = init.node.attr_float("bias", 1.f);
  const int64_t size = init.node.attr_int("size", 0);
  if (size < 1) fail(label, ": size must be given and positive");
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, label);
    const Ncs d = ncs_of(x, label);
    RtTensor& y = ctx.output(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      lrn_ref<T>(d.n, d.c, d.s, size, alpha, beta, bias, x.data<T>(), y.data<T>());
    });
  });
}

}  // namespace

void register_nn_norm_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "BatchNormalization", 1, 1000, Backend::Ref, bind::half_storage(make_batch_norm)});
  r.add(KernelDef{"", "InstanceNormalization", 1, 1000, Backend::Ref, bind::half_storage(make_instance_norm)});
  r.add(KernelDef{"", "LayerNormalization", 17, 1000, Backend::Ref, bind::half_storage(make_layer_norm)});
  r.add(KernelDef{"", "RMSNormalization", 23, 1000, Backend::Ref, bind::half_storage(make_rms_norm)});
  // Opset 21 changed scale and bias from one value per group to one per channel.
  r.add(KernelDef{"", "GroupNormalization", 18, 20, Backend::Ref, bind::half_storage(make_group_norm)});
  r.add(KernelDef{"", "GroupNormalization", 21, 1000, Backend::Ref, bind::half_storage(make_group_norm)});
  r.add(KernelDef{"", "LRN", 1, 1000, Backend::Ref, bind::half_storage(make_lrn)});
}

}  // namespace kiln::nn
