#pragma once
// What a profile feeds the model: concrete input shapes (declared dims, the user's --shape, a batch
// size for dim 0, and 1 for anything still unknown, recorded so the report says what it assumed),
// seeded random samples, and samples read from a folder of tensors.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/runtime/rt_tensor.h"

namespace kiln::profile {

using Sample = std::map<std::string, RtTensor>;

struct ResolvedShapes {
  std::map<std::string, std::vector<int64_t>> shapes;  // every graph input without an initializer
  std::vector<std::string> assumed;                    // "input 'x' dim 2 (seq) = 1"
};

// `batch` > 0 replaces dim 0 of every input that batchable_inputs() lists.
ResolvedShapes resolve_input_shapes(const Graph& g, const std::map<std::string, std::vector<int64_t>>& given,
                                    int64_t batch = 0);

// Inputs whose dim 0 is symbolic, unknown or 1: the ones a batch sweep grows.
std::vector<std::string> batchable_inputs(const Graph& g);

// Seeded random data for every input without an initializer (see core/runtime/random_inputs.h).
Sample random_sample(const Graph& g, const std::map<std::string, std::vector<int64_t>>& shapes, uint64_t seed);

// Samples from a folder laid out as ONNX's test data: either one sample (input_N.pb, NAME.npy or
// NAME.pb per input) or several (test_data_set_K/ subfolders, in name order). Errors name the
// folder and the missing input.
std::vector<Sample> load_input_samples(const Graph& g, const std::string& dir);

// The concrete shapes of a sample, to compile a Session for it.
std::map<std::string, std::vector<int64_t>> sample_shapes(const Sample& s);

}  // namespace kiln::profile
