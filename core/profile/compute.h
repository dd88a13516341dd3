#pragma once
// Arithmetic work and how well it is done: FLOPs and MACs per node (core/analysis/cost_model) and
// in total, achieved GFLOP/s per node and end to end, the fraction of the machine's peak, and a
// roofline classification of each node as compute- or memory-bound.
//
// Peak FLOP rate = cores used x f32 lanes per vector (16 AVX-512, 8 AVX2, 4 SSE/NEON) x 2 (an FMA
// is a multiply and an add) x FMA units per core (2 when the CPU has FMA, as on Intel since Haswell
// and AMD since Zen 2; an assumption the report states) x clock frequency (cpufreq's maximum, else
// /proc/cpuinfo's current MHz, else the brand string). The roofline ridge point is peak / memory
// bandwidth, the bandwidth measured here by streaming a buffer larger than the caches: a node whose
// FLOPs per byte moved lie below the ridge is memory-bound.
#include <cstdint>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/profile/latency.h"
#include "core/util/json.h"

namespace kiln::profile {

struct MachinePeak {
  int cores = 1;       // available to this process (affinity)
  int f32_lanes = 1;
  int fma_units = 1;
  double ghz = 0;      // 0: unknown
  std::string frequency_source;
  double gflops_per_core = 0;  // 0 when the frequency is unknown
  std::string how;             // the formula with the numbers filled in
  Json to_json() const;
};

MachinePeak machine_peak();
// Single-thread read bandwidth in GB/s (best of a few passes over a 64 MiB buffer).
double measure_read_bandwidth_gbps();

struct NodeCompute {
  NodeId id = 0;
  std::string name, op;
  int64_t macs = 0, flops = 0;
  bool known = false;
  int64_t bytes = 0;       // inputs, weights and outputs, from the inferred shapes
  double intensity = 0;    // flops / bytes
  double ms = 0;           // mean time per inference (from the per-node latency)
  double gflops = 0;
  std::string bound;       // "compute", "memory" or "unknown"
};

struct ComputeResult {
  int64_t total_macs = 0, total_flops = 0;
  int64_t nodes_unknown = 0;
  double end_to_end_ms = 0;
  double gflops = 0;             // achieved, end to end
  int cores_used = 1;
  double peak_gflops = 0;        // for cores_used; 0 when unknown
  double peak_fraction = 0;      // gflops / peak_gflops
  double bandwidth_gbps = 0;
  double ridge_flops_per_byte = 0;
  MachinePeak machine;
  std::vector<NodeCompute> nodes;
  Json to_json() const;
};

// `compiled`: the Session's model (shapes inferred for the concrete inputs). `latency` supplies
// per-node times when it measured them. bandwidth_gbps <= 0 leaves every node "unknown".
ComputeResult analyze_compute(const Model& compiled, const LatencyResult& latency, int threads,
                              const MachinePeak& machine, double bandwidth_gbps);

}  // namespace kiln::profile
