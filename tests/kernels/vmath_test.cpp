// Vector math against libm in double over dense sweeps: the error bounds stated in
// kernels/cpu/x86/avx2_math.h hold for every table (the scalar one is libm itself).
#include <algorithm>
#include <cmath>
#include <iostream>

#include "kernel_test_util.h"

namespace kiln::cpu::test {
namespace {

std::vector<float> sweep(float lo, float hi, float step) {
  std::vector<float> v;
  for (double x = lo; x <= hi; x += step) v.push_back(static_cast<float>(x));
  return v;
}

struct Errors {
  double abs = 0, rel = 0;
};

template <class Run, class Want>
Errors measure(const std::vector<float>& x, Run run, Want want) {
  std::vector<float> y(x.size());
  run(x.data(), y.data(), static_cast<int64_t>(x.size()));
  Errors e;
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = want(static_cast<double>(x[i])), d = std::fabs(static_cast<double>(y[i]) - w);
    e.abs = std::max(e.abs, d);
    if (std::fabs(w) > 1e-30) e.rel = std::max(e.rel, d / std::fabs(w));
  }
  return e;
}

TEST(VectorMath, ExpRelativeError) {
  const auto x = sweep(-87.f, 88.f, 0.00137f);
  for (const NamedKernels& nk : kernel_tables()) {
    const Errors e = measure(x, nk.table.f32_exp, [](double v) { return std::exp(v); });
    std::cout << nk.name << " exp: max relative error " << e.rel << "\n";
    EXPECT_LE(e.rel, 3e-7) << nk.name;
  }
}

TEST(VectorMath, ExpSaturates) {
  const std::vector<float> x = {-1000.f, -104.f, -88.f, 89.f, 1000.f};
  for (const NamedKernels& nk : kernel_tables()) {
    std::vector<float> y(x.size());
    nk.table.f32_exp(x.data(), y.data(), static_cast<int64_t>(x.size()));
    EXPECT_LT(y[0], 1e-37f) << nk.name;
    EXPECT_LT(y[1], 1e-37f) << nk.name;
    EXPECT_LT(y[2], 1e-37f) << nk.name;
    EXPECT_TRUE(std::isinf(y[3])) << nk.name;
    EXPECT_TRUE(std::isinf(y[4])) << nk.name;
  }
}

TEST(VectorMath, ActivationsAbsoluteError) {
  const auto x = sweep(-12.f, 12.f, 0.000731f);
  struct Bound {
    Activation act;
    double (*want)(double);
    double abs;
  };
  const Bound bounds[] = {
      {Activation::Tanh, [](double v) { return std::tanh(v); }, 3e-7},
      {Activation::Sigmoid, [](double v) { return 1 / (1 + std::exp(-v)); }, 3e-7},
      {Activation::Silu, [](double v) { return v / (1 + std::exp(-v)); }, 3e-6},  // |x| <= 12: 3e-7 * |x|
      {Activation::Gelu, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }, 6e-6},
      {Activation::GeluTanh,
       [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); }, 6e-6},
  };
  for (const NamedKernels& nk : kernel_tables())
    for (const Bound& b : bounds) {
      const Errors e = measure(
          x, [&](const float* in, float* out, int64_t n) { nk.table.f32_activation(in, out, n, b.act, 0.f, 0.f); },
          b.want);
      std::cout << nk.name << " activation " << static_cast<int>(b.act) << ": max absolute error " << e.abs << "\n";
      EXPECT_LE(e.abs, b.abs) << nk.name << " activation " << static_cast<int>(b.act);
    }
}

TEST(VectorMath, ErfAbsoluteError) {
  const auto x = sweep(-6.f, 6.f, 0.000377f);
  for (const NamedKernels& nk : kernel_tables()) {
    const Errors e = measure(x, nk.table.f32_erf, [](double v) { return std::erf(v); });
    std::cout << nk.name << " erf: max absolute error " << e.abs << "\n";
    EXPECT_LE(e.abs, 5e-7) << nk.name;
  }
}

TEST(VectorMath, PiecewiseActivationsExact) {
  const auto x = sweep(-9.f, 9.f, 0.0137f);
  for (const NamedKernels& nk : kernel_tables())
    for (Activation act : {Activation::Relu, Activation::LeakyRelu, Activation::Clip, Activation::HardSigmoid,
                           Activation::HardSwish}) {
      const float p0 = act == Activation::Clip ? -1.f : 0.2f, p1 = act == Activation::Clip ? 4.f : 0.5f;
      std::vector<float> y(x.size()), want(x.size());
      nk.table.f32_activation(x.data(), y.data(), static_cast<int64_t>(x.size()), act, p0, p1);
      for (size_t i = 0; i < x.size(); ++i) want[i] = activate_scalar(x[i], act, p0, p1);
      EXPECT_TRUE(all_close(y, want, 1e-7f, 1e-6f)) << nk.name << " activation " << static_cast<int>(act);
    }
}

TEST(VectorMath, TailsAndInPlace) {
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t n = 0; n <= 17; ++n) {
      std::vector<float> x = random_vector(static_cast<size_t>(n) + 8, static_cast<uint64_t>(n), -3.f, 3.f);
      const std::vector<float> orig = x;
      nk.table.f32_activation(x.data(), x.data(), n, Activation::Sigmoid, 0.f, 0.f);
      for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(x[i], 1 / (1 + std::exp(-orig[i])), 3e-7) << nk.name;
      for (size_t i = static_cast<size_t>(n); i < x.size(); ++i) EXPECT_EQ(x[i], orig[i]) << "wrote past n";
    }
}

TEST(VectorMath, BinaryOps) {
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t n : {0, 1, 7, 8, 9, 17, 100})
      for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div})
        for (int64_t stride : {0, 1}) {
          const auto a = random_vector(static_cast<size_t>(n), 1), b = random_vector(static_cast<size_t>(n) + 1, 2, 0.5f, 2.f);
          std::vector<float> y(static_cast<size_t>(n)), want(static_cast<size_t>(n));
          nk.table.f32_binary(op, a.data(), b.data(), stride, y.data(), n);
          for (size_t i = 0; i < want.size(); ++i) {
            const float u = a[i], v = b[i * static_cast<size_t>(stride)];
            want[i] = op == BinaryOp::Add ? u + v : op == BinaryOp::Sub ? u - v : op == BinaryOp::Mul ? u * v : u / v;
          }
          EXPECT_TRUE(all_close(y, want, 0.f, 0.f)) << nk.name << " op " << static_cast<int>(op) << " n=" << n;
        }
}

}  // namespace
}  // namespace kiln::cpu::test
