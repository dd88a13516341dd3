#pragma once
// Liveness and the activation arena. Every intermediate value lives from the step that produces it
// to its last use; when all their sizes are known after shape inference, each gets a fixed offset
// in one arena such that no two values alive at the same step overlap. The arena size is the
// activation memory Kiln reports; the sum of live sizes at the busiest step is its lower bound.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/ir/graph.h"

namespace kiln {

inline constexpr size_t kArenaAlignment = 64;

// A buffer alive over the steps [first, last] (inclusive), size already aligned.
struct Lifetime {
  size_t size = 0;
  size_t first = 0;
  size_t last = 0;
};

struct ArenaLayout {
  std::vector<size_t> offsets;  // one per lifetime, same order
  size_t peak_bytes = 0;        // arena size
  size_t live_peak_bytes = 0;   // max over steps of the live sizes' sum
};

// Greedy best-fit, largest first: each buffer goes into the smallest gap left between buffers
// already placed whose lifetimes intersect its own, or past the last of them.
ArenaLayout assign_offsets(const std::vector<Lifetime>& lifetimes);

// Index of the last node (in `order`) that reads each value of `order`'s graph, counting a node
// whose subgraphs capture the value by name as a reader. Values nobody reads are absent.
std::unordered_map<const Value*, size_t> last_uses(const std::vector<Node*>& order);

struct PlannedTensor {
  const Value* value = nullptr;
  size_t size = 0;    // bytes, aligned
  size_t offset = 0;  // in the arena
  size_t first = 0;   // producing step
  size_t last = 0;    // last reading step (== first when nothing reads it)
};

struct MemoryPlan {
  std::vector<PlannedTensor> tensors;
  size_t peak_bytes = 0;
  size_t live_peak_bytes = 0;

  const PlannedTensor* find(const Value* v) const;

 private:
  friend std::optional<MemoryPlan> plan_memory(const std::vector<Node*>& order);
  std::unordered_map<const Value*, size_t> index_;
};

// The plan for the intermediates of a graph run in `order` (graph inputs, initializers and graph
// outputs are not in the arena); nullopt when some intermediate has no static size.
std::optional<MemoryPlan> plan_memory(const std::vector<Node*>& order);

}  // namespace kiln
