#pragma once
// The minimap in the graph view's corner: the whole graph in miniature with the visible part
// framed; clicking or dragging in it moves the view there.
#include <QWidget>

namespace kiln {

class GraphView;

class GraphMinimap : public QWidget {
  Q_OBJECT
 public:
  explicit GraphMinimap(GraphView* view);
  // Resizes itself to the graph's aspect within a fixed box.
  void refresh();

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;

 private:
  QRectF image_rect() const;
  void jump(QPointF widget_point);
  GraphView* view_;
};

}  // namespace kiln
