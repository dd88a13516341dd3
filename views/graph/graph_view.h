#pragma once
// The graph canvas: a plain QWidget painting a laid-out ViewGraph through a spatial index, so a
// frame costs what is visible, not what the graph holds (QGraphicsScene keeps an object per item
// and slows down long before 50,000 nodes). Pan by dragging, zoom with the wheel around the
// cursor, fit, a minimap, level-of-detail drawing, search with next/previous, diff and heat-map
// colouring, and export of the view or the whole graph as PNG or SVG.
#include <QImage>
#include <QRegularExpression>
#include <QWidget>
#include <memory>
#include <unordered_map>

#include "views/graph/graph_painter.h"
#include "views/graph/spatial_grid.h"
#include "views/graph/view_graph.h"

namespace kiln {

class GraphMinimap;

class GraphView : public QWidget {
  Q_OBJECT
 public:
  explicit GraphView(QWidget* parent = nullptr);
  ~GraphView() override;

  // Shows a laid-out graph. keep_viewport keeps the zoom and the centre (re-layout after a step);
  // otherwise the whole graph is fitted.
  void set_view_graph(std::shared_ptr<const ViewGraph> vg, bool keep_viewport = false);
  const ViewGraph* view_graph() const { return vg_.get(); }

  double scale() const { return scale_; }
  QPointF center() const;  // scene point at the middle of the widget
  void set_scale(double scale, QPointF anchor_widget);
  void zoom_by(double factor);
  void center_on(QPointF scene_point);
  void pan_by(QPointF widget_delta);
  void fit();
  QRectF visible_scene_rect() const;

  // Diff preview: how each node was changed by the step shown (nodes not listed: unchanged).
  void set_diff(const std::unordered_map<NodeId, DiffMark>& marks);
  // Heat map hook: a value in [0, 1] per node (latency, error, ...) replaces the category colour.
  void set_heat(const std::unordered_map<NodeId, float>& values);
  // Per item: the heat drawn, or negative where none is.
  const std::vector<float>& heat() const { return deco_.heat; }
  void clear_decorations();

  // Search by op type or name: plain text is a case-insensitive substring, else a regular
  // expression. Returns the number of matching items and selects the first.
  int search(const QString& pattern, bool regex);
  int match_count() const { return static_cast<int>(matches_.size()); }
  int match_index() const { return match_pos_; }
  void next_match();
  void previous_match();

  void select_item(int64_t item, bool center = true);
  int64_t selected_item() const { return deco_.selected; }
  // The item drawn for a node (its own, its group's, or the node it is folded into).
  int64_t item_of_node(NodeId id) const;
  void select_node(NodeId id);

  // The whole graph (or what is visible) as an image / SVG; false with a reason in *error.
  bool export_png(const QString& path, bool whole_graph, QString* error = nullptr);
  bool export_svg(const QString& path, QString* error = nullptr);

  const QImage& overview_image() const { return overview_; }
  void paint_scene(QPainter& p, const QRectF& world, double scale, bool full_detail) const;

 signals:
  void itemSelected(qint64 item);
  void nodeSelected(quint64 node);  // an operator item was selected
  void scopeToggleRequested(const QString& scope, bool collapse);
  void bodyToggleRequested(quint64 node, bool expand);
  void viewportChanged();

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;
  void contextMenuEvent(QContextMenuEvent*) override;
  void keyPressEvent(QKeyEvent*) override;
  bool event(QEvent*) override;

 private:
  QTransform scene_to_widget() const;
  QPointF to_scene(QPointF widget_point) const;
  int64_t item_at(QPointF widget_point) const;
  void render_overview();
  void place_minimap();
  void changed();

  std::shared_ptr<const ViewGraph> vg_;
  SpatialGrid grid_;
  std::unique_ptr<GraphPainter> painter_;
  ItemDecorations deco_;
  std::vector<uint32_t> matches_;
  int match_pos_ = -1;
  double scale_ = 1;
  QPointF origin_;  // scene point at the widget's top-left corner
  QPoint press_pos_;
  QPointF press_origin_;
  bool dragging_ = false;
  // The whole scene pre-rendered: drawn instead of the items when zoomed out beyond its
  // resolution (one blit per frame however big the graph), and the minimap's picture.
  QImage overview_;
  double overview_scale_ = 0;
  GraphMinimap* minimap_;
};

}  // namespace kiln
