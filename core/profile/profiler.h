#pragma once
// A full profile of one model: latency (end to end and per node), memory, compute, energy, a batch
// sweep and, given a reference model, accuracy deltas, gathered into a Report.
#include <cstdint>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/profile/inputs.h"
#include "core/profile/latency.h"
#include "core/profile/report.h"
#include "core/profile/throughput.h"
#include "core/runtime/session.h"

namespace kiln::profile {

struct ProfileOptions {
  SessionOptions session;  // backend, threads; input_shapes: the user's --shape
  LatencyOptions latency;
  bool throughput = true;
  ThroughputOptions sweep;
  bool energy = true;
  double energy_seconds = 1.0;
  bool compute = true;
  uint64_t seed = 0;
  std::vector<Sample> samples;  // given input data; empty: seeded random
  std::string samples_from;     // where they came from, for the report
  int random_samples = 4;       // seeded samples for the accuracy comparison
  std::vector<int64_t> labels;
  bool per_node_error = true;
  std::string pinned;           // what --pin did, for the report
};

// Refuses backends without kernels (CUDA today) with the reason, before anything runs.
void check_backend(Backend backend);
std::string backend_name(Backend backend);

// `label`: how the report names the model. `original`: the model provenance ids refer to, for
// per-original-node names and time shares (nullptr: the model is its own original).
Report profile_model(const Model& model, const std::string& label, const Model* reference,
                     const std::string& reference_label, const ProfileOptions& options,
                     const Model* original = nullptr);

}  // namespace kiln::profile
