#pragma once
// End-to-end and per-node latency of a compiled Session.
//
// End to end: warm-up runs, then timed runs until the median is stable (it moved by less than
// `stable_pct` between two checks `check_every` runs apart), or an iteration cap, or a time budget.
// Per node: runs with the Session's observer on, interleaved one for one with runs without it, so
// the observer's overhead is measured on the same machine state rather than assumed. Node times are
// aggregated per op type and per original node through provenance: a fused node's time is split
// between the original nodes it replaced in proportion to their FLOPs (evenly when a cost is
// unknown); the report states the rule, as Kiln cannot observe how a fused kernel's time divides.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ir/graph.h"
#include "core/profile/inputs.h"
#include "core/profile/stats.h"
#include "core/runtime/session.h"
#include "core/util/json.h"

namespace kiln::profile {

struct LatencyOptions {
  int warmup = 3;
  // ...and warm-up lasts at least this long: a few runs of a sub-millisecond model end before
  // the clock, caches and thread pool have settled, and the first timed runs then read slow.
  double warmup_seconds = 0.2;
  int min_iterations = 10;
  int max_iterations = 200;
  double max_seconds = 3.0;  // budget for the end-to-end runs (warm-up excluded)
  double stable_pct = 1.0;  // < 0: never stop early (a fixed count of max_iterations runs)
  int check_every = 10;
  bool per_node = true;
  int per_node_iterations = 20;  // pairs of observed / unobserved runs (within max_seconds too)
};

struct NodeTime {
  NodeId id = 0;
  std::string name, op;
  std::vector<NodeId> provenance;
  double mean_ms = 0, p50_ms = 0;
};

struct GroupTime {
  std::string key;  // op type, or original node id
  std::string name, op;  // for original nodes: their name and op type when known
  int64_t nodes = 0;     // executed nodes contributing
  double ms = 0;         // mean per inference
  double pct = 0;        // of the per-node sum
};

struct LatencyResult {
  SampleStats end_to_end;  // ms
  std::vector<double> runs_ms;  // every timed end-to-end run in order: the distribution's shape
  double first_run_ms = 0;  // the first (cold) warm-up run
  int iterations = 0;
  bool stable = false;
  std::string stop_reason;

  bool per_node = false;
  int per_node_iterations = 0;
  SampleStats observed;    // end-to-end ms of runs with the observer on
  SampleStats unobserved;  // the runs interleaved with them, observer off
  double observer_overhead_pct = 0;  // median of paired (observed - unobserved) run times, vs p50
  double observer_ns_per_call = 0;   // the observer alone, timed in a tight loop
  double observer_direct_pct = 0;    // ns per call x calls per run, vs the unobserved p50
  double node_sum_ms = 0;  // sum of the top-level nodes' mean times
  double node_sum_pct = 0; // node_sum_ms against the observed runs' mean
  std::vector<NodeTime> nodes;           // execution order, top-level nodes (bodies inside their node)
  std::vector<GroupTime> by_op;          // slowest first
  std::vector<GroupTime> by_original;    // slowest first

  Json to_json() const;
};

// The model provenance ids refer to, for names and for splitting a fused node's time.
struct OriginalGraph {
  Model model;                                // a copy, shapes inferred for the profiled inputs
  std::unordered_map<NodeId, int64_t> flops;  // the nodes whose cost is known
};
// Never throws on a model whose shapes cannot be inferred: costs are then simply unknown.
OriginalGraph original_graph(const Model& original, const std::map<std::string, std::vector<int64_t>>& input_shapes);

// `original`: what provenance refers to; nullptr when the session's model is itself the original.
LatencyResult measure_latency(Session& session, const Sample& inputs, const LatencyOptions& options,
                              const OriginalGraph* original = nullptr);

// Restricts this process to its first `cores` allowed CPUs (sched_setaffinity). Returns a line
// saying which; throws kiln::Error when the OS refuses or fewer are allowed.
std::string pin_to_cores(int cores);

}  // namespace kiln::profile
