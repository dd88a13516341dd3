#pragma once
// Summary statistics and a histogram of a weight tensor, for the Inspector. Plain C++ so they
// are tested directly. Very large tensors are summarised from an evenly strided sample (and say
// so) to keep selecting a node instant.
#include <cstdint>
#include <vector>

#include "core/ir/tensor.h"

namespace kiln {

struct WeightStats {
  int64_t count = 0;    // elements in the tensor
  int64_t sampled = 0;  // elements the figures are computed from (== count unless sampled)
  double min = 0, max = 0, mean = 0, std = 0;
  double sparsity = 0;        // fraction of exact zeros
  std::vector<int64_t> bins;  // histogram over [min, max]
  bool numeric = false;       // false for string or empty tensors
};

WeightStats weight_stats(const Tensor& t, int bins = 40, int64_t max_samples = 4'000'000);

}  // namespace kiln
