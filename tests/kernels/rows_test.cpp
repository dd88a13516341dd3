// Row-wise softmax and layer normalization against double-precision definitions, every row
// length 0..17 and model sizes.
#include <cmath>

#include "kernel_test_util.h"

namespace kiln::cpu::test {
namespace {

const int64_t kLengths[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 128, 768, 1000};

TEST(RowKernels, Softmax) {
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t n : kLengths) {
      const int64_t rows = 3;
      const auto x = random_vector(static_cast<size_t>(rows * n), static_cast<uint64_t>(n), -20.f, 20.f);
      std::vector<float> y(x.size());
      nk.table.f32_softmax_rows(x.data(), y.data(), rows, n);
      for (int64_t r = 0; r < rows; ++r) {
        double mx = -INFINITY, sum = 0;
        for (int64_t i = 0; i < n; ++i) mx = std::max(mx, double(x[r * n + i]));
        for (int64_t i = 0; i < n; ++i) sum += std::exp(double(x[r * n + i]) - mx);
        for (int64_t i = 0; i < n; ++i)
          ASSERT_NEAR(y[r * n + i], std::exp(double(x[r * n + i]) - mx) / sum, 2e-6) << nk.name << " n=" << n;
      }
    }
}

TEST(RowKernels, LayerNorm) {
  for (const NamedKernels& nk : kernel_tables())
    for (int64_t n : kLengths)
      for (bool with_beta : {false, true}) {
        const int64_t rows = 3;
        // An offset mean: the variance must not cancel.
        const auto x = random_vector(static_cast<size_t>(rows * n), static_cast<uint64_t>(n) + 5, 99.f, 101.f);
        const auto g = random_vector(static_cast<size_t>(n), 6), b = random_vector(static_cast<size_t>(n), 7);
        std::vector<float> y(x.size());
        nk.table.f32_layernorm_rows(x.data(), g.data(), with_beta ? b.data() : nullptr, y.data(), rows, n, 1e-5f);
        for (int64_t r = 0; r < rows; ++r) {
          double mean = 0, var = 0;
          for (int64_t i = 0; i < n; ++i) mean += x[r * n + i];
          mean /= std::max<int64_t>(n, 1);
          for (int64_t i = 0; i < n; ++i) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
          var /= std::max<int64_t>(n, 1);
          for (int64_t i = 0; i < n; ++i) {
            const double want = (x[r * n + i] - mean) / std::sqrt(var + 1e-5) * g[i] + (with_beta ? b[i] : 0.0);
            ASSERT_NEAR(y[r * n + i], want, 5e-4) << nk.name << " n=" << n;
          }
        }
      }
}

}  // namespace
}  // namespace kiln::cpu::test
