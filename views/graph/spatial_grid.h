#pragma once
// A uniform grid over the laid-out scene: which items and edges touch a rectangle, in time
// proportional to what is visible rather than to the graph, so a frame of a 50,000-node graph
// costs what a frame of its visible hundred does.
#include <cstdint>
#include <vector>

#include "views/graph/layered_layout.h"

namespace kiln {

struct Rect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool intersects(const Rect& o) const { return x0 <= o.x1 && o.x0 <= x1 && y0 <= o.y1 && o.y0 <= y1; }
  bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

class SpatialGrid {
 public:
  // Items are rectangles (one per layout center and size); edges are polylines.
  void build(const std::vector<Rect>& items, const std::vector<std::vector<layout::Point>>& routes,
             double cell = 400);
  // Items and edges touching r, each once, in index order.
  void query(const Rect& r, std::vector<uint32_t>& items, std::vector<uint32_t>& edges) const;
  // The topmost item containing (x, y), or -1.
  int64_t item_at(double x, double y) const;

 private:
  size_t cell_index(int cx, int cy) const { return static_cast<size_t>(cy) * static_cast<size_t>(cols_) + static_cast<size_t>(cx); }
  int col(double x) const;
  int row(double y) const;
  double cell_ = 400;
  int cols_ = 0, rows_ = 0;
  std::vector<Rect> item_rects_;
  // Compressed rows per cell: entries of cell c are [start[c], start[c + 1]).
  std::vector<uint32_t> item_start_, item_ids_, edge_start_, edge_ids_;
  mutable std::vector<uint32_t> item_stamp_, edge_stamp_;
  mutable uint32_t stamp_ = 0;
};

}  // namespace kiln
