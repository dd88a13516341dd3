#pragma once
// Reference elementwise kernels: a unary map, binary and ternary maps with numpy broadcasting, and
// the scalar functions whose ONNX semantics are not a one-liner of <cmath> (integer division and
// modulo signs, round half to even, GELU, ...). Plain loops; correctness over speed.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/cpu/ref/broadcast.h"

namespace kiln::ref {

template <class T, class O, class F>
void unary_map(const T* x, O* y, int64_t n, F&& f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <class A, class B, class O, class F>
void binary_broadcast(const A* a, const Dims& as, const B* b, const Dims& bs, O* y, const Dims& ys, F&& f) {
  for_each_broadcast<2>(ys, {broadcast_strides(as, ys), broadcast_strides(bs, ys)},
                        [&](int64_t i, const std::array<int64_t, 2>& o) { y[i] = f(a[o[0]], b[o[1]]); });
}

template <class A, class B, class C, class O, class F>
void ternary_broadcast(const A* a, const Dims& as, const B* b, const Dims& bs, const C* c, const Dims& cs, O* y,
                       const Dims& ys, F&& f) {
  for_each_broadcast<3>(ys, {broadcast_strides(as, ys), broadcast_strides(bs, ys), broadcast_strides(cs, ys)},
                        [&](int64_t i, const std::array<int64_t, 3>& o) { y[i] = f(a[o[0]], b[o[1]], c[o[2]]); });
}

// Integer division truncating toward zero (as C and ONNX Runtime do); x/0 gives 0 instead of a
// trap, and MIN/-1 wraps instead of trapping.
template <class T>
T int_div(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(a));
  }
  return static_cast<T>(a / b);
}

// Remainder with the sign of the divisor (Python's %, ONNX Mod with fmod=0).
template <class T>
T floor_mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
      T r = static_cast<T>(a % b);
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    } else {
      return static_cast<T>(a % b);
    }
  }
}

// Remainder with the sign of the dividend (C's fmod / %, ONNX Mod with fmod=1).
template <class T>
T trunc_mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
    }
    return static_cast<T>(a % b);
  }
}

// Integer power by squaring (negative exponents follow integer division: 1, -1 or 0).
template <class T, class E>
T int_pow(T base, E exp) {
  if constexpr (std::is_signed_v<E>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if constexpr (std::is_signed_v<T>) {
        if (base == -1) return (exp % 2) ? T(-1) : T(1);
      }
      return 0;
    }
  }
  using U = std::make_unsigned_t<T>;
  U result = 1, b = static_cast<U>(base);
  auto e = static_cast<std::make_unsigned_t<E>>(exp);
  while (e) {
    if (e & 1) result = static_cast<U>(result * b);
    b = static_cast<U>(b * b);
    e >>= 1;
  }
  return static_cast<T>(result);
}

// Float to integer conversion that saturates and maps NaN to 0 (a plain cast is undefined there).
template <class I, class F>
I saturate_cast(F v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<F>(std::numeric_limits<I>::lowest())) return std::numeric_limits<I>::lowest();
  if (v >= static_cast<F>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(v);
}

// NaN-propagating max/min (numpy's maximum/minimum, as ONNX's reference implementation uses).
template <class T>
T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a < b ? b : a;
}
template <class T>
T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return b < a ? b : a;
}

template <class T>
T shift_left(T a, T s) {
  return s >= static_cast<T>(sizeof(T) * 8) ? T(0) : static_cast<T>(a << s);
}
template <class T>
T shift_right(T a, T s) {
  return s >= static_cast<T>(sizeof(T) * 8) ? T(0) : static_cast<T>(a >> s);
}

// Clip: NaN stays NaN; when lo > hi everything becomes hi (numpy.clip, ONNX Runtime).
template <class T>
T clip_value(T v, T lo, T hi) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(v)) return v;
  }
  return v < lo ? (lo > hi ? hi : lo) : (v > hi ? hi : v);
}

// Scalar activations and functions in double precision (callers round to the tensor's type).
inline double hard_sigmoid(double x, double alpha, double beta) { return std::max(0.0, std::min(1.0, alpha * x + beta)); }
inline double hard_swish(double x) { return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)); }
double round_half_even(double x);
double gelu_erf(double x);
double gelu_tanh(double x);
double mish(double x);
double softplus(double x);
double sigmoid(double x);

}  // namespace kiln::ref
