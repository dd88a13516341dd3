#pragma once
// Layered (Sugiyama-style) layout of a directed graph, in plain C++ so it can be tested and
// benchmarked without Qt and run on any thread:
//   1. cycles broken by reversing DFS back edges (collapsed groups can create cycles);
//   2. longest-path layering, sources pulled down next to their first consumer;
//   3. long edges split by dummy nodes; the edges leaving one node share one dummy trunk, so a
//      value read by every block of a network (an attention mask) costs one chain, not one per use;
//   4. crossing reduction by barycenter sweeps (a bounded number), keeping the best order seen;
//   5. x coordinates by alternating sweeps that pull each node towards the median of its
//      neighbours, each layer solved exactly (isotonic regression), so nodes never overlap;
//   6. edges routed as polylines through their dummies.
// Every step is O((V + E) log V) per sweep, which is what lets 50,000-node graphs lay out in
// seconds.
#include <cstdint>
#include <functional>
#include <vector>

namespace kiln::layout {

struct Size {
  double w = 0, h = 0;
};

struct Point {
  double x = 0, y = 0;
};

struct LayoutInput {
  std::vector<Size> sizes;                               // one per node
  std::vector<std::pair<uint32_t, uint32_t>> edges;      // (source, target) node indices
};

struct LayoutOptions {
  double layer_gap = 44;   // vertical space between the bottom of one layer and the next's top
  double node_gap = 22;    // horizontal space between neighbours in a layer
  double dummy_width = 6;  // room an edge passing through a layer takes
  int crossing_sweeps = 6;
  int coordinate_sweeps = 8;
};

struct LayoutResult {
  std::vector<Point> centers;              // one per node
  std::vector<int> layers;                 // one per node, 0 at the top
  // One per input edge, from source to target; an edge sharing its source's dummy trunk with a
  // deeper one starts where it branches off that trunk.
  std::vector<std::vector<Point>> routes;
  int layer_count = 0;
  size_t dummy_count = 0;
  int64_t crossings = 0;  // edge crossings between adjacent layers after reduction
  double width = 0, height = 0;
  bool cancelled = false;
};

// Called between phases with a percentage; returning false cancels (the result is then empty
// with cancelled set).
using LayoutProgress = std::function<bool(int percent)>;

LayoutResult layered_layout(const LayoutInput& input, const LayoutOptions& options = {},
                            const LayoutProgress& progress = {});

}  // namespace kiln::layout
