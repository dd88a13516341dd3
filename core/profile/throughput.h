#pragma once
// Throughput over a batch sweep: the model recompiled for batch 1, 2, 4, ... (dim 0 of every input
// whose declared dim 0 is symbolic, unknown or 1), latency measured at each, stopping at the first
// batch over the user's latency bound or whose planned memory is over the memory bound (checked
// before running it). The best batch is the one with the highest throughput within the bounds.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/profile/latency.h"
#include "core/util/json.h"

namespace kiln::profile {

struct BatchPoint {
  int64_t batch = 0;
  SampleStats latency_ms;
  double inferences_per_s = 0;      // batch / p50
  int64_t memory_bytes = -1;        // planned activations + inputs; -1 when not static
  bool ran = false;
  std::string stopped;              // why the sweep stopped here, if it did
};

struct ThroughputOptions {
  std::vector<int64_t> batches = {1, 2, 4, 8};
  double latency_bound_ms = 0;      // 0: none
  int64_t memory_bound_bytes = 0;   // 0: none
  LatencyOptions latency;           // per_node is ignored
  uint64_t seed = 0;
};

struct ThroughputResult {
  std::vector<std::string> batched_inputs;
  std::vector<BatchPoint> points;
  std::optional<size_t> best;       // index into points
  double latency_bound_ms = 0;
  int64_t memory_bound_bytes = 0;
  std::string note;
  Json to_json() const;
};

ThroughputResult sweep_batches(const Model& model, const SessionOptions& base,
                               const std::map<std::string, std::vector<int64_t>>& given_shapes,
                               const ThroughputOptions& options);

}  // namespace kiln::profile
