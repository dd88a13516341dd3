// Binds ONNX elementwise ops (math, logic, comparisons, activations, Cast, Where) to the reference
// kernels in kernels/cpu/ref/elementwise.h. float16/bfloat16 compute in float and round back.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <type_traits>

#include "core/runtime/bind/bind_util.h"
#include "core/runtime/kernel.h"
#include "core/util/error.h"
#include "kernels/cpu/ref/elementwise.h"

namespace kiln {
namespace {

using ref::Dims;

using bind::make_kernel;
using bind::need_input;
using bind::who_of;

using bind::kAll;
using bind::kBool;
using bind::kFloat;
using bind::kInt;
using bind::kNumeric;
using bind::kSigned;
using bind::kUnsigned;
using bind::visit;

// ---- unary ----

// Out: 0 = same type as the input, 1 = bool.
template <unsigned Set, int Out, class F>
void unary_op(KernelContext& ctx, const std::string& who, const F& f) {
  const RtTensor& x = need_input(ctx, 0, who);
  if constexpr ((Set & kFloat) != 0) {
    if (is_half_float(x.dtype())) {
      RtTensor xf = widen_to_float(x);
      if constexpr (Out == 1) {
        RtTensor& y = ctx.output(0, DataType::Bool, x.shape());
        ref::unary_map(xf.data<float>(), y.data<bool>(), x.numel(), [&](float v) { return static_cast<bool>(f(v)); });
      } else {
        RtTensor yf = RtTensor::allocate(DataType::Float32, x.shape());
        ref::unary_map(xf.data<float>(), yf.data<float>(), x.numel(), [&](float v) { return static_cast<float>(f(v)); });
        narrow_from_float(yf, ctx.output(0, x.dtype(), x.shape()));
      }
      return;
    }
  }
  visit<Set>(x.dtype(), who, [&](auto tag) {
    using T = decltype(tag);
    using O = std::conditional_t<Out == 1, bool, T>;
    RtTensor& y = ctx.output(0, Out == 1 ? DataType::Bool : x.dtype(), x.shape());
    ref::unary_map(x.data<T>(), y.data<O>(), x.numel(), [&](T v) { return static_cast<O>(f(v)); });
  });
}

// make_f(node) returns the elementwise functor (generic over the element type).
template <unsigned Set, int Out = 0, class MakeF>
void add_unary(KernelRegistry& r, const char* op, int64_t since, MakeF make_f, int64_t until = 1000) {
  r.add({"", op, since, until, Backend::Ref, [make_f](const KernelInit& in) {
           std::string who = who_of(in.node);
           auto f = make_f(in.node);
           return make_kernel([who, f](KernelContext& ctx) { unary_op<Set, Out>(ctx, who, f); });
         }});
}

// A float-only unary op whose formula needs no attributes.
template <class F>
void add_float_unary(KernelRegistry& r, const char* op, int64_t since, F f) {
  add_unary<kFloat>(r, op, since, [f](const Node&) { return f; });
}

// ---- binary / variadic with broadcasting ----

Dims broadcast_of(const RtTensor& a, const RtTensor& b, const std::string& who) {
  Dims ys = a.shape();
  if (!ref::broadcast_into(ys, b.shape()))
    fail(who, ": shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " do not broadcast");
  return ys;
}

// Before opset 7, binary ops broadcast only with broadcast=1, aligning B to A at `axis` (to A's
// trailing dims when absent); PRelu-6 applies a 1-D slope along the channel axis. kNumpyAxis marks
// numpy broadcasting.
constexpr int64_t kNumpyAxis = std::numeric_limits<int64_t>::min();

int64_t legacy_axis_of(const KernelInit& in) {
  if (in.opset >= 7) return kNumpyAxis;
  if (in.node.op_type == "PRelu") return 1;
  if (in.node.attr_int("broadcast", 0) != 0 && in.node.has_attr("axis")) return in.node.attr_int("axis", 0);
  return kNumpyAxis;
}

// B's shape padded with trailing 1s so that numpy broadcasting aligns it to A at `axis`.
Dims legacy_shape(const Dims& a, const Dims& b, int64_t axis) {
  if (axis == kNumpyAxis || b.size() >= a.size()) return b;
  const auto rank = static_cast<int64_t>(a.size());
  if (axis < 0) axis += rank;
  Dims out = b;
  for (int64_t d = axis + static_cast<int64_t>(b.size()); d < rank; ++d) out.push_back(1);
  return out;
}

// The second input as numpy broadcasting should see it (a view; `keep` holds it).
const RtTensor& second_input(KernelContext& ctx, const RtTensor& a, const std::string& who, int64_t legacy_axis,
                             RtTensor& keep) {
  const RtTensor& b = need_input(ctx, 1, who);
  if (legacy_axis == kNumpyAxis || b.dtype() == DataType::String) return b;
  keep = RtTensor::borrow(b.dtype(), legacy_shape(a.shape(), b.shape(), legacy_axis), const_cast<void*>(b.raw()));
  return keep;
}

template <unsigned Set, int Out, class F>
void binary_op(KernelContext& ctx, const std::string& who, const F& f, int64_t legacy_axis = kNumpyAxis) {
  const RtTensor& a = need_input(ctx, 0, who);
  RtTensor b_view;
  const RtTensor& b = second_input(ctx, a, who, legacy_axis, b_view);
  if (a.dtype() != b.dtype())
    fail(who, ": input types differ (", std::string(dtype_name(a.dtype())), " and ", std::string(dtype_name(b.dtype())), ")");
  const Dims ys = broadcast_of(a, b, who);
  if constexpr ((Set & kFloat) != 0) {
    if (is_half_float(a.dtype())) {
      RtTensor af = widen_to_float(a), bf = widen_to_float(b);
      if constexpr (Out == 1) {
        RtTensor& y = ctx.output(0, DataType::Bool, ys);
        ref::binary_broadcast(af.data<float>(), a.shape(), bf.data<float>(), b.shape(), y.data<bool>(), ys,
                              [&](float p, float q) { return static_cast<bool>(f(p, q)); });
      } else {
        RtTensor yf = RtTensor::allocate(DataType::Float32, ys);
        ref::binary_broadcast(af.data<float>(), a.shape(), bf.data<float>(), b.shape(), yf.data<float>(), ys,
                              [&](float p, float q) { return static_cast<float>(f(p, q)); });
        narrow_from_float(yf, ctx.output(0, a.dtype(), ys));
      }
      return;
    }
  }
  visit<Set>(a.dtype(), who, [&](auto tag) {
    using T = decltype(tag);
    using O = std::conditional_t<Out == 1, bool, T>;
    RtTensor& y = ctx.output(0, Out == 1 ? DataType::Bool : a.dtype(), ys);
    ref::binary_broadcast(a.data<T>(), a.shape(), b.data<T>(), b.shape(), y.data<O>(), ys,
                          [&](T p, T q) { return static_cast<O>(f(p, q)); });
  });
}

template <unsigned Set, int Out = 0, class MakeF>
void add_binary(KernelRegistry& r, const char* op, int64_t since, MakeF make_f) {
  r.add({"", op, since, 1000, Backend::Ref, [make_f](const KernelInit& in) {
           std::string who = who_of(in.node);
           auto f = make_f(in.node);
           const int64_t legacy = legacy_axis_of(in);
           return make_kernel([who, f, legacy](KernelContext& ctx) { binary_op<Set, Out>(ctx, who, f, legacy); });
         }});
}

template <unsigned Set, int Out = 0, class F>
void add_binary_fn(KernelRegistry& r, const char* op, int64_t since, F f) {
  add_binary<Set, Out>(r, op, since, [f](const Node&) { return f; });
}

// Max/Min/Sum/Mean: folds the inputs left to right over their common broadcast shape; Mean divides
// at the end.
template <unsigned Set, class F>
void variadic_op(KernelContext& ctx, const std::string& who, const F& f, bool mean) {
  std::vector<const RtTensor*> ins;
  for (size_t i = 0; i < ctx.input_count(); ++i)
    if (ctx.input(i)) ins.push_back(ctx.input(i));
  if (ins.empty()) fail(who, ": needs at least one input");
  const DataType dt = ins[0]->dtype();
  Dims ys = ins[0]->shape();
  for (const RtTensor* t : ins) {
    if (t->dtype() != dt) fail(who, ": input types differ");
    if (!ref::broadcast_into(ys, t->shape()))
      fail(who, ": shapes ", shape_str(ins[0]->shape()), " and ", shape_str(t->shape()), " do not broadcast");
  }
  auto fold = [&](auto tag, const std::vector<const RtTensor*>& src, RtTensor& y) {
    using T = decltype(tag);
    T* yd = y.data<T>();
    ref::binary_broadcast(src[0]->data<T>(), src[0]->shape(), src[0]->data<T>(), src[0]->shape(), yd, ys,
                          [](T p, T) { return p; });
    for (size_t k = 1; k < src.size(); ++k)
      ref::binary_broadcast(yd, ys, src[k]->data<T>(), src[k]->shape(), yd, ys,
                            [&](T p, T q) { return static_cast<T>(f(p, q)); });
    if (mean)
      for (int64_t i = 0; i < y.numel(); ++i) yd[i] = static_cast<T>(yd[i] / static_cast<T>(src.size()));
  };
  if constexpr ((Set & kFloat) != 0) {
    if (is_half_float(dt)) {
      std::vector<RtTensor> conv;
      std::vector<const RtTensor*> src;
      for (const RtTensor* t : ins) conv.push_back(widen_to_float(*t));
      for (const RtTensor& t : conv) src.push_back(&t);
      RtTensor yf = RtTensor::allocate(DataType::Float32, ys);
      fold(float{}, src, yf);
      narrow_from_float(yf, ctx.output(0, dt, ys));
      return;
    }
  }
  visit<Set>(dt, who, [&](auto tag) { fold(tag, ins, ctx.output(0, dt, ys)); });
}

template <unsigned Set, class F>
void add_variadic(KernelRegistry& r, const char* op, int64_t since, F f, bool mean = false) {
  r.add({"", op, since, 1000, Backend::Ref, [f, mean](const KernelInit& in) {
           std::string who = who_of(in.node);
           return make_kernel([who, f, mean](KernelContext& ctx) { variadic_op<Set>(ctx, who, f, mean); });
         }});
}

// ---- Pow: base and exponent may have different types (opset 12+); the result has the base's ----

template <class B, class E>
B pow_of(B b, E e) {
  if constexpr (std::is_integral_v<B> && std::is_integral_v<E>) {
    return ref::int_pow(b, e);
  } else if constexpr (std::is_integral_v<B>) {
    return ref::saturate_cast<B>(std::pow(static_cast<double>(b), static_cast<double>(e)));
  } else {
    return static_cast<B>(std::pow(static_cast<double>(b), static_cast<double>(e)));
  }
}

void pow_op(KernelContext& ctx, const std::string& who, int64_t legacy_axis) {
  const RtTensor& a0 = need_input(ctx, 0, who);
  RtTensor b_view;
  const RtTensor& b0 = second_input(ctx, a0, who, legacy_axis, b_view);
  const Dims ys = broadcast_of(a0, b0, who);
  RtTensor af, bf;
  const RtTensor& a = is_half_float(a0.dtype()) ? (af = widen_to_float(a0)) : a0;
  const RtTensor& b = is_half_float(b0.dtype()) ? (bf = widen_to_float(b0)) : b0;
  RtTensor yf;
  RtTensor& y = is_half_float(a0.dtype()) ? (yf = RtTensor::allocate(DataType::Float32, ys)) : ctx.output(0, a0.dtype(), ys);
  visit<kFloat | kSigned>(a.dtype(), who, [&](auto btag) {
    using B = decltype(btag);
    visit<kNumeric>(b.dtype(), who, [&](auto etag) {
      using E = decltype(etag);
      ref::binary_broadcast(a.data<B>(), a.shape(), b.data<E>(), b.shape(), y.data<B>(), ys,
                            [](B p, E q) { return pow_of(p, q); });
    });
  });
  if (is_half_float(a0.dtype())) narrow_from_float(yf, ctx.output(0, a0.dtype(), ys));
}

// ---- Clip ----

// Clip from opset 11: bounds are optional scalar inputs of the input's type.
void clip_inputs_op(KernelContext& ctx, const std::string& who) {
  const RtTensor& x0 = need_input(ctx, 0, who);
  const RtTensor* lo0 = ctx.input(1);
  const RtTensor* hi0 = ctx.input(2);
  for (const RtTensor* t : {lo0, hi0})
    if (t && (t->numel() != 1 || t->dtype() != x0.dtype())) fail(who, ": min and max must be scalars of the input's type");
  const bool half = is_half_float(x0.dtype());
  RtTensor xf, lof, hif, yf;
  const RtTensor& x = half ? (xf = widen_to_float(x0)) : x0;
  const RtTensor* lo = half && lo0 ? &(lof = widen_to_float(*lo0)) : lo0;
  const RtTensor* hi = half && hi0 ? &(hif = widen_to_float(*hi0)) : hi0;
  RtTensor& y = half ? (yf = RtTensor::allocate(DataType::Float32, x0.shape())) : ctx.output(0, x0.dtype(), x0.shape());
  visit<kNumeric>(x.dtype(), who, [&](auto tag) {
    using T = decltype(tag);
    const T l = lo ? lo->data<T>()[0] : std::numeric_limits<T>::lowest();
    const T h = hi ? hi->data<T>()[0] : std::numeric_limits<T>::max();
    ref::unary_map(x.data<T>(), y.data<T>(), x.numel(), [&](T v) { return ref::clip_value(v, l, h); });
  });
  if (half) narrow_from_float(yf, ctx.output(0, x0.dtype(), x0.shape()));
}

// ---- Where ----

template <class T>
void where_typed(const RtTensor& c, const RtTensor& a, const RtTensor& b, RtTensor& y, const Dims& ys) {
  ref::ternary_broadcast(c.data<bool>(), c.shape(), a.data<T>(), a.shape(), b.data<T>(), b.shape(), y.data<T>(), ys,
                         [](bool s, T p, T q) { return s ? p : q; });
}

void where_op(KernelContext& ctx, const std::string& who) {
  const RtTensor& c = need_input(ctx, 0, who);
  const RtTensor& a = need_input(ctx, 1, who);
  const RtTensor& b = need_input(ctx, 2, who);
  if (c.dtype() != DataType::Bool) fail(who, ": condition must be bool");
  if (a.dtype() != b.dtype()) fail(who, ": X and Y types differ");
  Dims ys = broadcast_of(c, a, who);
  if (!ref::broadcast_into(ys, b.shape())) fail(who, ": shapes do not broadcast");
  RtTensor& y = ctx.output(0, a.dtype(), ys);
  if (a.dtype() == DataType::String) {
    ref::for_each_broadcast<3>(ys, {ref::broadcast_strides(c.shape(), ys), ref::broadcast_strides(a.shape(), ys),
                                    ref::broadcast_strides(b.shape(), ys)},
                               [&](int64_t i, const std::array<int64_t, 3>& o) {
                                 y.strings()[static_cast<size_t>(i)] = c.data<bool>()[o[0]]
                                                                           ? a.strings()[static_cast<size_t>(o[1])]
                                                                           : b.strings()[static_cast<size_t>(o[2])];
                               });
    return;
  }
  switch (dtype_bits(a.dtype())) {
    case 8: return where_typed<uint8_t>(c, a, b, y, ys);
    case 16: return where_typed<uint16_t>(c, a, b, y, ys);
    case 32: return where_typed<uint32_t>(c, a, b, y, ys);
    case 64: return where_typed<uint64_t>(c, a, b, y, ys);
    default: fail_unsupported(who, ": type ", std::string(dtype_name(a.dtype())), " is not supported");
  }
}

// ---- Cast ----

template <class T>
std::string number_to_string(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "INF" : "-INF";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "1" : "0";
  } else {
    return std::to_string(v);
  }
}

template <class T>
T string_to_number(const std::string& s) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::strtod(s.c_str(), nullptr));
  } else if constexpr (std::is_same_v<T, bool>) {
    return std::strtod(s.c_str(), nullptr) != 0;
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<T>(std::strtoll(s.c_str(), nullptr, 10));
  } else {
    return static_cast<T>(std::strtoull(s.c_str(), nullptr, 10));
  }
}

template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return ref::saturate_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

void cast_tensor(const RtTensor& x0, DataType to, RtTensor& y, const std::string& who) {
  const int64_t n = x0.numel();
  RtTensor xf;
  const RtTensor& x = is_half_float(x0.dtype()) ? (xf = widen_to_float(x0)) : x0;
  if (x.dtype() == DataType::String && to == DataType::String) {
    y.strings() = x.strings();
    return;
  }
  if (to == DataType::String) {
    visit<kAll>(x.dtype(), who, [&](auto tag) {
      using T = decltype(tag);
      for (int64_t i = 0; i < n; ++i) y.strings()[static_cast<size_t>(i)] = number_to_string(x.data<T>()[i]);
    });
    return;
  }
  RtTensor yf;
  const bool half_out = is_half_float(to);
  RtTensor& yt = half_out ? (yf = RtTensor::allocate(DataType::Float32, x0.shape())) : y;
  visit<kAll>(yt.dtype(), who, [&](auto ttag) {
    using To = decltype(ttag);
    To* yd = yt.data<To>();
    if (x.dtype() == DataType::String) {
      for (int64_t i = 0; i < n; ++i) yd[i] = string_to_number<To>(x.strings()[static_cast<size_t>(i)]);
      return;
    }
    visit<kAll>(x.dtype(), who, [&](auto ftag) {
      using From = decltype(ftag);
      ref::unary_map(x.data<From>(), yd, n, [](From v) { return convert<To>(v); });
    });
  });
  if (to == DataType::BFloat16) {
    // Cast to bfloat16 keeps the upper 16 bits of the float, as ONNX's Cast test data expects
    // (arithmetic on bfloat16 elsewhere rounds to nearest even).
    const float* s = yf.data<float>();
    uint16_t* d = y.data<uint16_t>();
    for (int64_t i = 0; i < n; ++i)
      d[i] = std::isnan(s[i]) ? float_to_bfloat16(s[i]) : static_cast<uint16_t>(std::bit_cast<uint32_t>(s[i]) >> 16);
  } else if (half_out) {
    narrow_from_float(yf, y);  // double -> float16 goes through float (one extra rounding)
  }
}

bool cast_target_ok(DataType t) {
  switch (t) {
    case DataType::Float32: case DataType::Float64: case DataType::Float16: case DataType::BFloat16:
    case DataType::Int8: case DataType::Int16: case DataType::Int32: case DataType::Int64:
    case DataType::UInt8: case DataType::UInt16: case DataType::UInt32: case DataType::UInt64:
    case DataType::Bool: case DataType::String:
      return true;
    default:
      return false;
  }
}

// ---- registration ----

// Versions before opset 6 of the unary, activation and variadic ops differ only by the legacy
// 'consumed_inputs' attribute (an in-place hint with no effect on results), so one kernel serves
// from opset 1.
void register_math(KernelRegistry& r) {
  add_binary_fn<kNumeric>(r, "Add", 1, [](auto a, auto b) { return a + b; });
  add_binary_fn<kNumeric>(r, "Sub", 1, [](auto a, auto b) { return a - b; });
  add_binary_fn<kNumeric>(r, "Mul", 1, [](auto a, auto b) { return a * b; });
  add_binary_fn<kNumeric>(r, "Div", 1, [](auto a, auto b) {
    using T = decltype(a);
    if constexpr (std::is_integral_v<T>) return ref::int_div(a, b);
    else return a / b;
  });
  add_binary<kNumeric>(r, "Mod", 10, [](const Node& n) {
    const bool fmod = n.attr_int("fmod", 0) != 0;
    return [fmod](auto a, auto b) { return fmod ? ref::trunc_mod(a, b) : ref::floor_mod(a, b); };
  });
  r.add({"", "Pow", 1, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           const int64_t legacy = legacy_axis_of(in);
           return make_kernel([who, legacy](KernelContext& ctx) { pow_op(ctx, who, legacy); });
         }});
  add_binary<kNumeric>(r, "PRelu", 1, [](const Node&) {
    return [](auto x, auto slope) {
      using T = decltype(x);
      return x < T(0) ? static_cast<T>(slope * x) : x;
    };
  });
  add_variadic<kNumeric>(r, "Max", 1, [](auto a, auto b) { return ref::nan_max(a, b); });
  add_variadic<kNumeric>(r, "Min", 1, [](auto a, auto b) { return ref::nan_min(a, b); });
  add_variadic<kFloat>(r, "Sum", 1, [](auto a, auto b) { return a + b; });
  add_variadic<kFloat>(r, "Mean", 1, [](auto a, auto b) { return a + b; }, true);

  add_binary_fn<kBool>(r, "And", 1, [](bool a, bool b) { return a && b; });
  add_binary_fn<kBool>(r, "Or", 1, [](bool a, bool b) { return a || b; });
  add_binary_fn<kBool>(r, "Xor", 1, [](bool a, bool b) { return a != b; });
  add_binary_fn<kInt>(r, "BitwiseAnd", 18, [](auto a, auto b) { return a & b; });
  add_binary_fn<kInt>(r, "BitwiseOr", 18, [](auto a, auto b) { return a | b; });
  add_binary_fn<kInt>(r, "BitwiseXor", 18, [](auto a, auto b) { return a ^ b; });
  add_binary<kUnsigned>(r, "BitShift", 11, [](const Node& n) {
    const std::string dir = n.attr_string("direction", "");
    if (dir != "LEFT" && dir != "RIGHT") fail(who_of(n), ": direction must be LEFT or RIGHT, not '", dir, "'");
    const bool left = dir == "LEFT";
    return [left](auto a, auto b) { return left ? ref::shift_left(a, b) : ref::shift_right(a, b); };
  });

  r.add({"", "Equal", 1, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           const int64_t legacy = legacy_axis_of(in);
           return make_kernel([who, legacy](KernelContext& ctx) {
             const RtTensor& a = need_input(ctx, 0, who);
             if (a.dtype() != DataType::String)
               return binary_op<kAll, 1>(ctx, who, [](auto p, auto q) { return p == q; }, legacy);
             const RtTensor& b = need_input(ctx, 1, who);
             if (b.dtype() != DataType::String) fail(who, ": input types differ");
             const Dims ys = broadcast_of(a, b, who);
             bool* y = ctx.output(0, DataType::Bool, ys).data<bool>();
             ref::for_each_broadcast<2>(ys, {ref::broadcast_strides(a.shape(), ys), ref::broadcast_strides(b.shape(), ys)},
                                        [&](int64_t i, const std::array<int64_t, 2>& o) {
                                          y[i] = a.strings()[static_cast<size_t>(o[0])] == b.strings()[static_cast<size_t>(o[1])];
                                        });
           });
         }});
  add_binary_fn<kNumeric, 1>(r, "Less", 1, [](auto a, auto b) { return a < b; });
  add_binary_fn<kNumeric, 1>(r, "Greater", 1, [](auto a, auto b) { return a > b; });
  add_binary_fn<kNumeric, 1>(r, "LessOrEqual", 12, [](auto a, auto b) { return a <= b; });
  add_binary_fn<kNumeric, 1>(r, "GreaterOrEqual", 12, [](auto a, auto b) { return a >= b; });
}

void register_unary(KernelRegistry& r) {
  add_unary<kNumeric>(r, "Abs", 1, [](const Node&) {
    return [](auto v) {
      using T = decltype(v);
      if constexpr (std::is_unsigned_v<T>) return v;
      else return static_cast<T>(v < T(0) ? -v : v);
    };
  });
  add_unary<kFloat | kSigned>(r, "Neg", 1, [](const Node&) {
    return [](auto v) { return static_cast<decltype(v)>(-v); };
  });
  add_unary<kNumeric>(r, "Sign", 9, [](const Node&) {
    return [](auto v) {
      using T = decltype(v);
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v)) return v;
      }
      return static_cast<T>(v > T(0) ? 1 : (v < T(0) ? -1 : 0));
    };
  });
  add_unary<kBool>(r, "Not", 1, [](const Node&) { return [](bool v) { return !v; }; });
  add_unary<kInt>(r, "BitwiseNot", 18, [](const Node&) {
    return [](auto v) { return static_cast<decltype(v)>(~v); };
  });
  add_unary<kFloat, 1>(r, "IsNaN", 9, [](const Node&) { return [](auto v) { return std::isnan(v); }; });
  add_unary<kFloat, 1>(r, "IsInf", 10, [](const Node& n) {
    const bool neg = n.attr_int("detect_negative", 1) != 0, pos = n.attr_int("detect_positive", 1) != 0;
    return [neg, pos](auto v) { return std::isinf(v) && (v > 0 ? pos : neg); };
  });

  add_float_unary(r, "Exp", 1, [](auto v) { return std::exp(v); });
  add_float_unary(r, "Log", 1, [](auto v) { return std::log(v); });
  add_float_unary(r, "Sqrt", 1, [](auto v) { return std::sqrt(v); });
  add_float_unary(r, "Reciprocal", 1, [](auto v) { return decltype(v)(1) / v; });
  add_float_unary(r, "Floor", 1, [](auto v) { return std::floor(v); });
  add_float_unary(r, "Ceil", 1, [](auto v) { return std::ceil(v); });
  add_float_unary(r, "Round", 11, [](auto v) { return static_cast<decltype(v)>(ref::round_half_even(v)); });
  add_float_unary(r, "Sin", 7, [](auto v) { return std::sin(v); });
  add_float_unary(r, "Cos", 7, [](auto v) { return std::cos(v); });
  add_float_unary(r, "Tan", 7, [](auto v) { return std::tan(v); });
  add_float_unary(r, "Asin", 7, [](auto v) { return std::asin(v); });
  add_float_unary(r, "Acos", 7, [](auto v) { return std::acos(v); });
  add_float_unary(r, "Atan", 7, [](auto v) { return std::atan(v); });
  add_float_unary(r, "Sinh", 9, [](auto v) { return std::sinh(v); });
  add_float_unary(r, "Cosh", 9, [](auto v) { return std::cosh(v); });
  add_float_unary(r, "Asinh", 9, [](auto v) { return std::asinh(v); });
  add_float_unary(r, "Acosh", 9, [](auto v) { return std::acosh(v); });
  add_float_unary(r, "Atanh", 9, [](auto v) { return std::atanh(v); });
  add_float_unary(r, "Erf", 9, [](auto v) { return std::erf(v); });
}

void register_activations(KernelRegistry& r) {
  add_unary<kFloat | kSigned>(r, "Relu", 1, [](const Node&) {
    return [](auto v) { return v > decltype(v)(0) ? v : decltype(v)(0); };
  });
  add_float_unary(r, "Sigmoid", 1, [](auto v) { return static_cast<decltype(v)>(ref::sigmoid(v)); });
  add_float_unary(r, "Tanh", 1, [](auto v) { return std::tanh(v); });
  add_float_unary(r, "Softplus", 1, [](auto v) { return static_cast<decltype(v)>(ref::softplus(v)); });
  add_float_unary(r, "Softsign", 1, [](auto v) { return v / (decltype(v)(1) + std::fabs(v)); });
  add_float_unary(r, "Mish", 18, [](auto v) { return static_cast<decltype(v)>(ref::mish(v)); });
  add_float_unary(r, "HardSwish", 14, [](auto v) {
    using T = decltype(v);
    return static_cast<T>(ref::hard_swish(v));
  });
  add_unary<kFloat>(r, "LeakyRelu", 1, [](const Node& n) {
    const double alpha = n.attr_float("alpha", 0.01f);
    return [alpha](auto v) { return static_cast<decltype(v)>(v < 0 ? alpha * v : v); };
  });
  add_unary<kFloat>(r, "Elu", 1, [](const Node& n) {
    const double alpha = n.attr_float("alpha", 1.0f);
    return [alpha](auto v) { return static_cast<decltype(v)>(v < 0 ? alpha * std::expm1(double(v)) : v); };
  });
  add_unary<kFloat>(r, "Selu", 1, [](const Node& n) {
    const double alpha = n.attr_float("alpha", 1.67326319217681884765625f);
    const double gamma = n.attr_float("gamma", 1.05070102214813232421875f);
    return [alpha, gamma](auto v) {
      return static_cast<decltype(v)>(gamma * (v > 0 ? double(v) : alpha * std::expm1(double(v))));
    };
  });
  add_unary<kFloat>(r, "Celu", 12, [](const Node& n) {
    const double alpha = n.attr_float("alpha", 1.0f);
    return [alpha](auto v) {
      return static_cast<decltype(v)>(std::max(0.0, double(v)) + std::min(0.0, alpha * std::expm1(v / alpha)));
    };
  });
  add_unary<kFloat>(r, "HardSigmoid", 1, [](const Node& n) {
    const double alpha = n.attr_float("alpha", 0.2f), beta = n.attr_float("beta", 0.5f);
    return [alpha, beta](auto v) {
      return static_cast<decltype(v)>(ref::hard_sigmoid(v, alpha, beta));
    };
  });
  add_unary<kFloat>(r, "ThresholdedRelu", 10, [](const Node& n) {
    const double alpha = n.attr_float("alpha", 1.0f);
    return [alpha](auto v) { return static_cast<decltype(v)>(v > alpha ? v : 0); };
  });
  add_unary<kNumeric>(r, "Shrink", 9, [](const Node& n) {
    const double bias = n.attr_float("bias", 0.0f), lambd = n.attr_float("lambd", 0.5f);
    return [bias, lambd](auto v) {
      const double d = static_cast<double>(v);
      return static_cast<decltype(v)>(d < -lambd ? d + bias : (d > lambd ? d - bias : 0.0));
    };
  });
  add_unary<kFloat>(r, "Gelu", 20, [](const Node& n) {
    const std::string approx = n.attr_string("approximate", "none");
    if (approx != "none" && approx != "tanh") fail(who_of(n), ": approximate must be none or tanh, not '", approx, "'");
    const bool tanh = approx == "tanh";
    return [tanh](auto v) { return static_cast<decltype(v)>(tanh ? ref::gelu_tanh(v) : ref::gelu_erf(v)); };
  });
  // Clip before opset 11 takes its bounds from attributes.
  add_unary<kFloat>(r, "Clip", 1, [](const Node& n) {
    const double lo = n.attr_float("min", std::numeric_limits<float>::lowest());
    const double hi = n.attr_float("max", std::numeric_limits<float>::max());
    return [lo, hi](auto v) { return static_cast<decltype(v)>(ref::clip_value(double(v), lo, hi)); };
  }, 10);
  r.add({"", "Clip", 11, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           return make_kernel([who](KernelContext& ctx) { clip_inputs_op(ctx, who); });
         }});
}

void register_cast_where(KernelRegistry& r) {
  r.add({"", "Cast", 1, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           // Cast-1 names the type ("FLOAT"); later versions give its TensorProto code.
           const Attribute* attr = in.node.attr("to");
           if (!attr) fail(who, ": attribute 'to' is missing");
           std::optional<DataType> named;
           if (attr->kind == AttrKind::String) {
             named = dtype_from_enum_name(attr->s);
             if (!named) fail(who, ": 'to' names no known type: '", attr->s, "'");
           }
           const auto to = named ? *named : static_cast<DataType>(attr->i);
           if (!cast_target_ok(to)) fail_unsupported(who, ": cannot cast to type code ", std::to_string(static_cast<int>(to)));
           return make_kernel([who, to](KernelContext& ctx) {
             const RtTensor& x = need_input(ctx, 0, who);
             cast_tensor(x, to, ctx.output(0, to, x.shape()), who);
           });
         }});
  r.add({"", "CastLike", 15, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           return make_kernel([who](KernelContext& ctx) {
             const RtTensor& x = need_input(ctx, 0, who);
             const DataType to = need_input(ctx, 1, who).dtype();
             if (!cast_target_ok(to)) fail(who, ": cannot cast to ", std::string(dtype_name(to)));
             cast_tensor(x, to, ctx.output(0, to, x.shape()), who);
           });
         }});
  r.add({"", "Where", 9, 1000, Backend::Ref, [](const KernelInit& in) {
           std::string who = who_of(in.node);
           return make_kernel([who](KernelContext& ctx) { where_op(ctx, who); });
         }});
}

}  // namespace

void register_elementwise_kernels(KernelRegistry& r) {
  register_math(r);
  register_unary(r);
  register_activations(r);
  register_cast_where(r);
}

}  // namespace kiln
