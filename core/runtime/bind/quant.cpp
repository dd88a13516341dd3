// Reference bindings for linear quantization: QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/runtime/bind/tensor_common.h"
#include "kernels/cpu/ref/quant.h"

namespace kiln {
namespace bind {
namespace {

std::vector<float> read_floats(const RtTensor& t, const std::string& who) {
  const std::vector<double> d = read_doubles(t, who);
  return std::vector<float>(d.begin(), d.end());
}

// Calls f(Q*) for the quantized integer type dt.
template <class F>
void with_qtype(DataType dt, bool allow_int32, const std::string& who, F&& f) {
  switch (dt) {
    case DataType::UInt8: return f(static_cast<uint8_t*>(nullptr));
    case DataType::Int8: return f(static_cast<int8_t*>(nullptr));
    case DataType::UInt16: return f(static_cast<uint16_t*>(nullptr));
    case DataType::Int16: return f(static_cast<int16_t*>(nullptr));
    case DataType::Int32:
      if (allow_int32) return f(static_cast<int32_t*>(nullptr));
      break;
    default: break;
  }
  fail_unsupported(who, ": quantized type ", std::string(dtype_name(dt)), " is not supported");
}

// Scale/zero-point layout for x: per tensor (one value), per axis (1-D along axis) or blocked.
ref::QuantLayout quant_layout(const RtTensor& x, const RtTensor& scale, int64_t axis,
                              int64_t block, const std::string& who) {
  ref::QuantLayout l;
  if (scale.numel() == 1 && scale.rank() <= 1 && block == 0) {
    l.inner = x.numel();
    return l;
  }
  const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(x.rank()), who));
  l.outer = product(x.shape(), 0, a);
  l.axis_dim = x.dim(a);
  l.inner = product(x.shape(), a + 1);
  if (block > 0) {
    std::vector<int64_t> want = x.shape();
    want[a] = (x.dim(a) + block - 1) / block;
    if (scale.shape() != want) fail(who, ": blocked scale ", shape_str(scale.shape()), " should be ", shape_str(want));
    l.block = block;
    return l;
  }
  if (scale.rank() != 1 || scale.dim(0) != x.dim(a))
    fail(who, ": scale ", shape_str(scale.shape()), " is neither one value nor one per element of axis ", std::to_string(a), " of ", shape_str(x.shape()));
  return l;
}

void check_zero_point(const RtTensor* zp, const RtTensor& scale, const std::string& who) {
  if (zp && zp->shape() != scale.shape() && !(zp->numel() == 1 && scale.numel() == 1))
    fail(who, ": zero point ", shape_str(zp->shape()), " does not match scale ", shape_str(scale.shape()));
}

ComputeFn make_quantize(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 1);
  const int64_t block = init.node.attr_int("block_size", 0);
  const auto out_attr = static_cast<DataType>(init.node.attr_int("output_dtype", 0));
  return [=](KernelContext& ctx) {
    const RtTensor& x = need(ctx, 0, who);
    const RtTensor& scale_t = need(ctx, 1, who);
    const RtTensor* zp = ctx.input(2);
    if (zp && zp->numel() == 0) zp = nullptr;
    check_zero_point(zp, scale_t, who);
    const DataType qt = zp ? zp->dtype() : out_attr != DataType::Undefined ? out_attr : DataType::UInt8;
    const ref::QuantLayout l = quant_layout(x, scale_t, axis, block, who);
    const std::vector<float> xs = read_floats(x, who), scale = read_floats(scale_t, who);
    RtTensor& y = ctx.output(0, qt, x.shape());
    with_qtype(qt, false, who, [&]<class Q>(Q*) {
      ref::quantize_linear<Q>(xs.data(), scale.data(), zp ? zp->data<Q>() : nullptr, l, y.data<Q>());
    });
  };
}

ComputeFn make_dequantize(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 1);
  const int64_t block = init.node.attr_int("block_size", 0);
  return [=](KernelContext& ctx) {
    const RtTensor& x = need(ctx, 0, who);
    const RtTensor& scale_t = need(ctx, 1, who);
    const RtTensor* zp = ctx.input(2);
    if (zp && zp->numel() == 0) zp = nullptr;
    check_zero_point(zp, scale_t, who);
    if (zp && zp->dtype() != x.dtype()) fail(who, ": zero point type differs from the input's");
    const ref::QuantLayout l = quant_layout(x, scale_t, axis, block, who);
    const std::vector<float> scale = read_floats(scale_t, who);
    std::vector<float> ys(static_cast<size_t>(x.numel()));
    with_qtype(x.dtype(), true, who, [&]<class Q>(Q*) {
      ref::dequantize_linear<Q>(x.data<Q>(), scale.data(), zp ? zp->data<Q>() : nullptr, l, ys.data());
    });
    // The output has the scale's type (float, or float16/bfloat16 from opset 19).
    RtTensor& y = ctx.output(0, scale_t.dtype(), x.shape());
    if (scale_t.dtype() == DataType::Float32) {
      std::copy(ys.begin(), ys.end(), y.data<float>());
      return;
    }
    const size_t es = elem_size(scale_t.dtype(), who);
    auto* p = static_cast<uint8_t*>(y.raw());
    for (size_t i = 0; i < ys.size(); ++i) write_double(scale_t.dtype(), ys[i], p + i * es, who);
  };
}

ComputeFn make_dynamic_quantize(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& x = need(ctx, 0, who);
    const std::vector<float> xs = read_floats(x, who);
    // The range always includes zero so that zero is exactly representable.
    float lo = 0.f, hi = 0.f;
    for (float v : xs) lo = std::min(lo, v), hi = std::max(hi, v);
    const float scale = (hi - lo) / 255.f;
    const float zpf = scale == 0.f ? 0.f : std::clamp(std::nearbyint(0.f - lo / scale), 0.f, 255.f);
    const auto zp = static_cast<uint8_t>(zpf);
    RtTensor& y = ctx.output(0, DataType::UInt8, x.shape());
    if (scale != 0.f) {
      ref::QuantLayout l;
      l.inner = x.numel();
      ref::quantize_linear<uint8_t>(xs.data(), &scale, &zp, l, y.data<uint8_t>());
    } else {
      std::fill(y.data<uint8_t>(), y.data<uint8_t>() + y.numel(), zp);
    }
    ctx.output(1, DataType::Float32, {}).data<float>()[0] = scale;
    ctx.output(2, DataType::UInt8, {}).data<uint8_t>()[0] = zp;
  };
}

// Batched matmul shapes with numpy broadcasting: per output batch, the element offsets of the
// a and b matrices.
struct MatmulPlan {
  int64_t m = 1, k = 1, n = 1;
  std::vector<int64_t> out_shape;
  std::vector<int64_t> a_off, b_off;
};

MatmulPlan plan_matmul(std::vector<int64_t> as, std::vector<int64_t> bs, const std::string& who) {
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (as.empty() || bs.empty()) fail(who, ": matmul inputs must have rank >= 1");
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  MatmulPlan p;
  p.m = as[as.size() - 2];
  p.k = as.back();
  p.n = bs.back();
  if (bs[bs.size() - 2] != p.k) fail(who, ": inner dims ", shape_str(as), " x ", shape_str(bs), " differ");
  const std::vector<int64_t> ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const size_t r = std::max(ab.size(), bb.size());
  std::vector<int64_t> batch(r), ast(r, 0), bst(r, 0);
  int64_t sa = p.m * p.k, sb = p.k * p.n;
  for (size_t i = r; i-- > 0;) {
    const int64_t da = i < r - ab.size() ? 1 : ab[i - (r - ab.size())];
    const int64_t db = i < r - bb.size() ? 1 : bb[i - (r - bb.size())];
    if (da != db && da != 1 && db != 1) fail(who, ": batch dims of ", shape_str(as), " and ", shape_str(bs), " do not broadcast");
    batch[i] = da == 1 ? db : da;
    ast[i] = da == 1 ? 0 : sa;
    bst[i] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  const int64_t nb = product(batch);
  std::vector<int64_t> idx(r, 0);
  for (int64_t t = 0; t < nb; ++t) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < r; ++d) oa += idx[d] * ast[d], ob += idx[d] * bst[d];
    p.a_off.push_back(oa);
    p.b_off.push_back(ob);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  p.out_shape = batch;
  if (!a_vec) p.out_shape.push_back(p.m);
  if (!b_vec) p.out_shape.push_back(p.n);
  return p;
}

// A zero point (or scale) given per tensor or per entry of a dim of size n, widened to n entries.
std::vector<int32_t> zero_points(const RtTensor* zp, int64_t n, const char* what, const std::string& who) {
  std::vector<int32_t> out(static_cast<size_t>(n), 0);
  if (!zp || zp->numel() == 0) return out;
  const std::vector<int64_t> v = read_int64s(*zp, who);
  if (v.size() == 1) std::fill(out.begin(), out.end(), static_cast<int32_t>(v[0]));
  else if (static_cast<int64_t>(v.size()) == n) std::transform(v.begin(), v.end(), out.begin(), [](int64_t x) { return static_cast<int32_t>(x); });
  else fail(who, ": ", what, " has ", std::to_string(v.size()), " entries where 1 or ", std::to_string(n), " are allowed");
  return out;
}

std::vector<float> scales(const RtTensor& t, int64_t n, const char* what, const std::string& who) {
  std::vector<float> v = read_floats(t, who);
  if (v.size() != 1 && static_cast<int64_t>(v.size()) != n)
    fail(who, ": ", what, " has ", std::to_string(v.size()), " entries where 1 or ", std::to_string(n), " are allowed");
  return v;
}

// Calls f(T*) for uint8 or int8, the types of the integer matmul/conv operands.
template <class F>
void with_8bit(DataType dt, const char* what, const std::string& who, F&& f) {
  if (dt == DataType::UInt8) return f(static_cast<uint8_t*>(nullptr));
  if (dt == DataType::Int8) return f(static_cast<int8_t*>(nullptr));
  fail(who, ": ", what, " type ", std::string(dtype_name(dt)), " is not uint8 or int8");
}

template <class F>
void with_int8_pair(DataType a, DataType b, const std::string& who, F&& f) {
  with_8bit(a, "first operand", who, [&]<class A>(A*) {
    with_8bit(b, "second operand", who, [&]<class B>(B*) { f(static_cast<A*>(nullptr), static_cast<B*>(nullptr)); });
  });
}

// int32 products of all batches of a and b, zero points removed.
std::vector<int32_t> integer_matmul(const RtTensor& a, const RtTensor* a_zp, const RtTensor& b,
                                    const RtTensor* b_zp, const MatmulPlan& p, const std::string& who) {
  const std::vector<int32_t> azp = zero_points(a_zp, p.m, "a_zero_point", who);
  const std::vector<int32_t> bzp = zero_points(b_zp, p.n, "b_zero_point", who);
  std::vector<int32_t> acc(p.a_off.size() * static_cast<size_t>(p.m * p.n));
  with_int8_pair(a.dtype(), b.dtype(), who, [&]<class A, class B>(A*, B*) {
    for (size_t t = 0; t < p.a_off.size(); ++t)
      ref::matmul_integer<A, B>(a.data<A>() + p.a_off[t], azp.data(), b.data<B>() + p.b_off[t], bzp.data(), p.m, p.k, p.n,
                                acc.data() + t * static_cast<size_t>(p.m * p.n));
  });
  return acc;
}

ComputeFn make_matmul_integer(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& a = need(ctx, 0, who);
    const RtTensor& b = need(ctx, 1, who);
    const MatmulPlan p = plan_matmul(a.shape(), b.shape(), who);
    const std::vector<int32_t> acc = integer_matmul(a, ctx.input(2), b, ctx.input(3), p, who);
    RtTensor& y = ctx.output(0, DataType::Int32, p.out_shape);
    std::copy(acc.begin(), acc.end(), y.data<int32_t>());
  };
}

ComputeFn make_qlinear_matmul(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& a = need(ctx, 0, who);
    const RtTensor& b = need(ctx, 3, who);
    const RtTensor& y_zp = need(ctx, 7, who);
    const MatmulPlan p = plan_matmul(a.shape(), b.shape(), who);
    const std::vector<int32_t> acc = integer_matmul(a, ctx.input(2), b, ctx.input(5), p, who);
    const std::vector<float> as = scales(need(ctx, 1, who), p.m, "a_scale", who);
    const std::vector<float> bs = scales(need(ctx, 4, who), p.n, "b_scale", who);
    const float ys = read_floats(need(ctx, 6, who), who).at(0);
    const auto yz = static_cast<int32_t>(read_int64s(y_zp, who).at(0));
    RtTensor& y = ctx.output(0, y_zp.dtype(), p.out_shape);
    const auto mn = static_cast<size_t>(p.m * p.n);
    with_8bit(y_zp.dtype(), "output", who, [&]<class Q>(Q*) {
      for (size_t t = 0; t < p.a_off.size(); ++t)
        ref::requantize<Q>(acc.data() + t * mn, p.m, p.n, as.data(), as.size() > 1, bs.data(), bs.size() > 1, ys, yz,
                           y.data<Q>() + t * mn);
    });
  };
}

// Convolution attributes, read once.
struct ConvAttrs {
  std::string auto_pad;
  std::vector<int64_t> dilations, kernel_shape, pads, strides;
  int64_t group = 1;
};

ConvAttrs conv_attrs(const Node& n) {
  ConvAttrs c;
  c.auto_pad = n.attr_string("auto_pad", "NOTSET");
  c.dilations = n.attr_ints("dilations");
  c.kernel_shape = n.attr_ints("kernel_shape");
  c.pads = n.attr_ints("pads");
  c.strides = n.attr_ints("strides");
  c.group = n.attr_int("group", 1);
  return c;
}

// Geometry for x [N, C, (H,) W] and w [M, C/group, (kH,) kW]; 1-D convs become 2-D with H = 1.
ref::ConvGeom conv_geom(const ConvAttrs& c, const RtTensor& x, const RtTensor& w, const std::string& who) {
  const size_t sp = x.rank() < 2 ? 0 : x.rank() - 2;
  if ((sp != 1 && sp != 2) || w.rank() != x.rank())
    fail(who, ": only 1-D and 2-D convolutions are supported (input ", shape_str(x.shape()), ", weights ", shape_str(w.shape()), ")");
  auto at = [&](const std::vector<int64_t>& v, size_t i, int64_t d) { return v.empty() ? d : v.at(i); };
  ref::ConvGeom g;
  g.batch = x.dim(0);
  g.in_c = x.dim(1);
  g.out_c = w.dim(0);
  g.group = c.group;
  if (g.group < 1 || g.in_c % g.group != 0 || g.out_c % g.group != 0 || w.dim(1) * g.group != g.in_c)
    fail(who, ": channels of input ", shape_str(x.shape()), " and weights ", shape_str(w.shape()), " do not fit group ", std::to_string(g.group));
  int64_t in[2] = {1, 1}, k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1}, pb[2] = {0, 0}, out[2] = {1, 1};
  const size_t off = 2 - sp;  // 1-D fills the second slot
  for (size_t i = 0; i < sp; ++i) {
    in[off + i] = x.dim(2 + i);
    k[off + i] = at(c.kernel_shape, i, w.dim(2 + i));
    s[off + i] = at(c.strides, i, 1);
    d[off + i] = at(c.dilations, i, 1);
    const int64_t ext = (k[off + i] - 1) * d[off + i] + 1;
    if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      out[off + i] = (in[off + i] + s[off + i] - 1) / s[off + i];
      const int64_t total = std::max<int64_t>(0, (out[off + i] - 1) * s[off + i] + ext - in[off + i]);
      pb[off + i] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (c.auto_pad == "VALID") {
      out[off + i] = (in[off + i] - ext) / s[off + i] + 1;
    } else if (c.auto_pad == "NOTSET") {
      pb[off + i] = at(c.pads, i, 0);
      const int64_t pe = at(c.pads, i + sp, 0);
      out[off + i] = (in[off + i] + pb[off + i] + pe - ext) / s[off + i] + 1;
    } else {
      fail(who, ": unknown auto_pad '", c.auto_pad, "'");
    }
    if (out[off + i] < 0) out[off + i] = 0;
  }
  g.in_h = in[0], g.in_w = in[1], g.k_h = k[0], g.k_w = k[1];
  g.stride_h = s[0], g.stride_w = s[1], g.dil_h = d[0], g.dil_w = d[1];
  g.pad_top = pb[0], g.pad_left = pb[1], g.out_h = out[0], g.out_w = out[1];
  return g;
}

std::vector<int64_t> conv_out_shape(const ref::ConvGeom& g, size_t rank) {
  if (rank == 3) return {g.batch, g.out_c, g.out_w};
  return {g.batch, g.out_c, g.out_h, g.out_w};
}

std::vector<int32_t> integer_conv(const RtTensor& x, const RtTensor* x_zp, const RtTensor& w,
                                  const RtTensor* w_zp, const ref::ConvGeom& g, const std::string& who) {
  const int32_t xz = zero_points(x_zp, 1, "x_zero_point", who)[0];
  const std::vector<int32_t> wz = zero_points(w_zp, g.out_c, "w_zero_point", who);
  std::vector<int32_t> acc(static_cast<size_t>(g.batch * g.out_c * g.out_h * g.out_w));
  with_int8_pair(x.dtype(), w.dtype(), who, [&]<class X, class W>(X*, W*) {
    ref::conv_integer<X, W>(x.data<X>(), xz, w.data<W>(), wz.data(), g, acc.data());
  });
  return acc;
}

ComputeFn make_conv_integer(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const ConvAttrs attrs = conv_attrs(init.node);
  return [who, attrs](KernelContext& ctx) {
    const RtTensor& x = need(ctx, 0, who);
    const RtTensor& w = need(ctx, 1, who);
    const ref::ConvGeom g = conv_geom(attrs, x, w, who);
    const std::vector<int32_t> acc = integer_conv(x, ctx.input(2), w, ctx.input(3), g, who);
    RtTensor& y = ctx.output(0, DataType::Int32, conv_out_shape(g, x.rank()));
    std::copy(acc.begin(), acc.end(), y.data<int32_t>());
  };
}

ComputeFn make_qlinear_conv(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const ConvAttrs attrs = conv_attrs(init.node);
  return [who, attrs](KernelContext& ctx) {
    const RtTensor& x = need(ctx, 0, who);
    const RtTensor& w = need(ctx, 3, who);
    const RtTensor& y_zp = need(ctx, 7, who);
    const ref::ConvGeom g = conv_geom(attrs, x, w, who);
    std::vector<int32_t> acc = integer_conv(x, ctx.input(2), w, ctx.input(5), g, who);
    const int64_t plane = g.out_h * g.out_w;
    if (const RtTensor* bias = ctx.input(8)) {
      const std::vector<int64_t> bv = read_int64s(*bias, who);
      if (static_cast<int64_t>(bv.size()) != g.out_c) fail(who, ": bias has ", std::to_string(bv.size()), " entries for ", std::to_string(g.out_c), " channels");
      for (size_t i = 0; i < acc.size(); ++i) acc[i] += static_cast<int32_t>(bv[(i / static_cast<size_t>(plane)) % bv.size()]);
    }
    const std::vector<float> xs = scales(need(ctx, 1, who), 1, "x_scale", who);
    const std::vector<float> ws = scales(need(ctx, 4, who), g.out_c, "w_scale", who);
    const float ys = read_floats(need(ctx, 6, who), who).at(0);
    const auto yz = static_cast<int32_t>(read_int64s(y_zp, who).at(0));
    RtTensor& y = ctx.output(0, y_zp.dtype(), conv_out_shape(g, x.rank()));
    const auto per_batch = static_cast<size_t>(g.out_c * plane);
    with_8bit(y_zp.dtype(), "output", who, [&]<class Q>(Q*) {
      for (int64_t b = 0; b < g.batch; ++b)
        ref::requantize<Q>(acc.data() + static_cast<size_t>(b) * per_batch, g.out_c, plane, ws.data(), ws.size() > 1,
                           xs.data(), false, ys, yz, y.data<Q>() + static_cast<size_t>(b) * per_batch);
    });
  };
}

}  // namespace
}  // namespace bind

void register_quant_kernels(KernelRegistry& r) {
  using bind::add_ref;
  add_ref(r, "QuantizeLinear", 10, 12, bind::make_quantize);
  add_ref(r, "QuantizeLinear", 13, 1000, bind::make_quantize);
  add_ref(r, "DequantizeLinear", 10, 12, bind::make_dequantize);
  add_ref(r, "DequantizeLinear", 13, 1000, bind::make_dequantize);
  add_ref(r, "DynamicQuantizeLinear", 11, 1000, bind::make_dynamic_quantize);
  add_ref(r, "MatMulInteger", 10, 1000, bind::make_matmul_integer);
  add_ref(r, "QLinearMatMul", 10, 1000, bind::make_qlinear_matmul);
  add_ref(r, "ConvInteger", 10, 1000, bind::make_conv_integer);
  add_ref(r, "QLinearConv", 10, 1000, bind::make_qlinear_conv);
}

}  // namespace kiln
