#pragma once
// Draws a laid-out ViewGraph with a QPainter: the same code paints the view, the minimap's
// overview and the PNG/SVG exports. Level of detail follows the scale: filled boxes batched by
// colour when zoomed far out, outlines and op names closer, weights and tensor shapes closest.
#include <QColor>
#include <QRectF>
#include <cstdint>
#include <vector>

#include "views/graph/spatial_grid.h"
#include "views/graph/view_graph.h"

class QPainter;

namespace kiln {

// How a step changed a node, for the diff preview; larger values win when a group holds several.
enum class DiffMark : uint8_t { None, Modified, Added, Removed };

// Per-item decorations, indexed like ViewGraph::items (empty vectors mean "none").
struct ItemDecorations {
  std::vector<DiffMark> diff;
  std::vector<float> heat;  // 0..1, or negative for "no value"
  std::vector<uint8_t> matched;
  int64_t selected = -1;
};

class GraphPainter {
 public:
  GraphPainter(const ViewGraph& vg, const SpatialGrid& grid) : vg_(vg), grid_(grid) {}

  // Paints what lies in `world` (scene coordinates); the painter must already map scene to device
  // coordinates, `scale` being device pixels per scene unit. full_detail draws everything
  // whatever the scale (exports).
  void paint(QPainter& p, const QRectF& world, double scale, const ItemDecorations& deco,
             bool full_detail = false) const;

  static QColor category_color(OpCategory c);
  static QColor heat_color(float t);
  static QColor diff_color(DiffMark m);

 private:
  const ViewGraph& vg_;
  const SpatialGrid& grid_;
  mutable std::vector<uint32_t> items_, edges_;
};

}  // namespace kiln
