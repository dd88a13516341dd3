#include "views/graph/spatial_grid.h"

#include <algorithm>
#include <cmath>

namespace kiln {
namespace {

// Fills CSR rows from (cell, id) pairs.
void to_rows(size_t cells, std::vector<std::pair<uint32_t, uint32_t>>& pairs, std::vector<uint32_t>& start,
             std::vector<uint32_t>& ids) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  start.assign(cells + 1, 0);
  for (const auto& [c, id] : pairs) ++start[c + 1];
  for (size_t c = 0; c < cells; ++c) start[c + 1] += start[c];
  ids.resize(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) ids[i] = pairs[i].second;
}

}  // namespace

int SpatialGrid::col(double x) const {
  return std::clamp(static_cast<int>(std::floor(x / cell_)), 0, std::max(cols_ - 1, 0));
}

int SpatialGrid::row(double y) const {
  return std::clamp(static_cast<int>(std::floor(y / cell_)), 0, std::max(rows_ - 1, 0));
}

void SpatialGrid::build(const std::vector<Rect>& items, const std::vector<std::vector<layout::Point>>& routes,
                        double cell) {
  cell_ = cell;
  item_rects_ = items;
  double w = 0, h = 0;
  for (const Rect& r : items) {
    w = std::max(w, r.x1);
    h = std::max(h, r.y1);
  }
  for (const auto& route : routes)
    for (const layout::Point& p : route) {
      w = std::max(w, p.x);
      h = std::max(h, p.y);
    }
  cols_ = static_cast<int>(w / cell_) + 1;
  rows_ = static_cast<int>(h / cell_) + 1;
  const size_t cells = static_cast<size_t>(cols_) * static_cast<size_t>(rows_);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  auto cover = [&](const Rect& r, uint32_t id) {
    for (int cy = row(r.y0); cy <= row(r.y1); ++cy)
      for (int cx = col(r.x0); cx <= col(r.x1); ++cx) pairs.push_back({static_cast<uint32_t>(cell_index(cx, cy)), id});
  };
  for (uint32_t i = 0; i < items.size(); ++i) cover(items[i], i);
  to_rows(cells, pairs, item_start_, item_ids_);
  pairs.clear();
  for (uint32_t e = 0; e < routes.size(); ++e)
    for (size_t k = 1; k < routes[e].size(); ++k) {
      const layout::Point a = routes[e][k - 1], b = routes[e][k];
      cover({std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)}, e);
    }
  to_rows(cells, pairs, edge_start_, edge_ids_);
  item_stamp_.assign(items.size(), 0);
  edge_stamp_.assign(routes.size(), 0);
  stamp_ = 0;
}

void SpatialGrid::query(const Rect& r, std::vector<uint32_t>& items, std::vector<uint32_t>& edges) const {
  items.clear();
  edges.clear();
  if (cols_ == 0) return;
  if (++stamp_ == 0) {  // wrapped: forget every old stamp
    std::fill(item_stamp_.begin(), item_stamp_.end(), 0);
    std::fill(edge_stamp_.begin(), edge_stamp_.end(), 0);
    stamp_ = 1;
  }
  for (int cy = row(r.y0); cy <= row(r.y1); ++cy)
    for (int cx = col(r.x0); cx <= col(r.x1); ++cx) {
      const size_t c = cell_index(cx, cy);
      for (uint32_t k = item_start_[c]; k < item_start_[c + 1]; ++k) {
        const uint32_t id = item_ids_[k];
        if (item_stamp_[id] != stamp_ && item_rects_[id].intersects(r)) {
          item_stamp_[id] = stamp_;
          items.push_back(id);
        }
      }
      for (uint32_t k = edge_start_[c]; k < edge_start_[c + 1]; ++k) {
        const uint32_t id = edge_ids_[k];
        if (edge_stamp_[id] != stamp_) {
          edge_stamp_[id] = stamp_;
          edges.push_back(id);
        }
      }
    }
  std::sort(items.begin(), items.end());
  std::sort(edges.begin(), edges.end());
}

int64_t SpatialGrid::item_at(double x, double y) const {
  if (cols_ == 0 || x < 0 || y < 0) return -1;
  const size_t c = cell_index(col(x), row(y));
  int64_t found = -1;
  for (uint32_t k = item_start_[c]; k < item_start_[c + 1]; ++k)
    if (item_rects_[item_ids_[k]].contains(x, y)) found = std::max<int64_t>(found, item_ids_[k]);
  return found;
}

}  // namespace kiln
