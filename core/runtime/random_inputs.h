#pragma once
// Seeded random inputs for a model: what `kiln-cli run` feeds when no data is given, and what the
// pass manager's numerical check runs before and after each step. Floats are uniform in [-1, 1),
// integers in [0, 9], bools fair coins; the same seed gives the same tensors everywhere.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/runtime/rt_tensor.h"

namespace kiln {

RtTensor random_tensor(DataType dtype, const std::vector<int64_t>& shape, std::mt19937_64& rng,
                       const std::string& what);

// One tensor per graph input without an initializer, in input order. Shapes come from `shapes`
// when given there, else from the declared shape; an unknown dim is an error naming the input
// unless `unknown_dim` >= 0, which is used for it instead.
std::map<std::string, RtTensor> random_inputs(const Graph& g,
                                              const std::map<std::string, std::vector<int64_t>>& shapes,
                                              uint64_t seed, int64_t unknown_dim = -1);

}  // namespace kiln
