// Pooling bindings: MaxPool, AveragePool, LpPool and their Global forms.
#include <algorithm>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/pool.h"

namespace kiln::nn {

namespace {

void place(std::array<int64_t, 3>& dst, const std::vector<int64_t>& src, size_t off = 0, size_t n = 0) {
  if (n == 0) n = src.size() - off;
  for (size_t i = 0; i < n; ++i) dst[3 - n + i] = src[off + i];
}

struct PoolAttrs {
  std::string label;
  PoolKind kind = PoolKind::Max;
  bool global = false;
  SpatialAttrs sa;
  bool ceil_mode = false;
  bool count_include_pad = false;
  double p = 2.0;
  bool column_major = false;
};

double read_p(const Node& n) {
  const Attribute* a = n.attr("p");
  if (!a) return 2.0;
  return a->kind == AttrKind::Float ? a->f : static_cast<double>(a->i);
}

void run_pool(const PoolAttrs& pa, KernelContext& ctx) {
  const RtTensor& x = need_input(ctx, 0, pa.label);
  if (x.rank() < 3 || x.rank() > 5)
    fail(pa.label, ": X must have 1 to 3 spatial dims, got ", shape_str(x.shape()));
  const size_t sp = x.rank() - 2;
  SpatialAttrs a = pa.sa;
  if (pa.global) {
    a.kernel_shape.assign(x.shape().begin() + 2, x.shape().end());
    a.strides.clear(), a.dilations.clear(), a.pads.clear();
    a.auto_pad = "NOTSET";
  }
  a.resolve(sp, pa.label);
  PoolParams p;
  p.kind = pa.kind, p.batch = x.dim(0), p.channels = x.dim(1);
  p.count_include_pad = pa.count_include_pad, p.p = pa.p, p.column_major_indices = pa.column_major;
  std::vector<int64_t> out(sp), pb(sp), pe(sp);
  for (size_t i = 0; i < sp; ++i) {
    const int64_t in = x.dim(2 + i), s = a.strides[i];
    const int64_t ek = (a.kernel_shape[i] - 1) * a.dilations[i] + 1;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      out[i] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out[i] - 1) * s + ek - in);
      pb[i] = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe[i] = total - pb[i];
    } else {
      pb[i] = a.auto_pad == "VALID" ? 0 : a.pads[i];
      pe[i] = a.auto_pad == "VALID" ? 0 : a.pads[sp + i];
      const int64_t span = in + pb[i] + pe[i] - ek;
      if (span < 0) fail(pa.label, ": kernel larger than padded input ", shape_str(x.shape()));
      out[i] = (pa.ceil_mode ? (span + s - 1) / s : span / s) + 1;
      // A last window starting in the end padding would see no input: drop it (as PyTorch does).
      if (pa.ceil_mode && (out[i] - 1) * s >= in + pb[i]) --out[i];
    }
  }
  place(p.in, x.shape(), 2);
  place(p.out, out);
  place(p.kernel, a.kernel_shape);
  place(p.stride, a.strides);
  place(p.dilation, a.dilations);
  place(p.pad_begin, pb);
  place(p.pad_end, pe);
  std::vector<int64_t> yshape{x.dim(0), x.dim(1)};
  yshape.insert(yshape.end(), out.begin(), out.end());
  RtTensor& y = ctx.output(0, x.dtype(), yshape);
  RtTensor* ind = pa.kind == PoolKind::Max && ctx.output_count() > 1 && ctx.output_wanted(1)
                      ? &ctx.output(1, DataType::Int64, yshape)
                      : nullptr;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    pool_ref<T>(p, x.data<T>(), y.data<T>(), ind ? ind->data<int64_t>() : nullptr);
  };
  // MaxPool also takes 8-bit integers (opset 12): a maximum needs no arithmetic.
  if (pa.kind == PoolKind::Max && x.dtype() == DataType::Int8) return run(int8_t{});
  if (pa.kind == PoolKind::Max && x.dtype() == DataType::UInt8) return run(uint8_t{});
  dispatch_float(x.dtype(), pa.label, run);
}

auto pool_factory(PoolKind kind, bool global) {
  return [kind, global](const KernelInit& init) {
    PoolAttrs pa;
    pa.label = node_label(init.node);
    pa.kind = kind;
    pa.global = global;
    if (!global) {
      pa.sa = SpatialAttrs::read(init.node);
      if (pa.sa.kernel_shape.empty()) fail(pa.label, ": kernel_shape is required");
    }
    pa.ceil_mode = init.node.attr_int("ceil_mode", 0) != 0;
    pa.count_include_pad = init.node.attr_int("count_include_pad", 0) != 0;
    pa.p = read_p(init.node);
    pa.column_major = init.node.attr_int("storage_order", 0) != 0;
    return make_kernel([pa](KernelContext& ctx) { run_pool(pa, ctx); });
  };
}

}  // namespace

void register_nn_pool_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "MaxPool", 1, 1000, Backend::Ref, bind::half_storage(pool_factory(PoolKind::Max, false))});
  r.add(KernelDef{"", "AveragePool", 1, 1000, Backend::Ref, bind::half_storage(pool_factory(PoolKind::Average, false))});
  r.add(KernelDef{"", "LpPool", 1, 1000, Backend::Ref, bind::half_storage(pool_factory(PoolKind::Lp, false))});
  r.add(KernelDef{"", "GlobalMaxPool", 1, 1000, Backend::Ref, bind::half_storage(pool_factory(PoolKind::Max, true))});
  r.add(KernelDef{"", "GlobalAveragePool", 1, 1000, Backend::Ref, bind::half_storage(pool_factory(PoolKind::Average, true))});
  r.add(KernelDef{"", "GlobalLpPool", 1, 1000, Backend::Ref, bind::half_storage(pool_factory(PoolKind::Lp, true))});
}

}  // namespace kiln::nn
