#include "views/graph/graph_minimap.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "views/graph/graph_view.h"

namespace kiln {
namespace {

constexpr int kMaxWidth = 170, kMaxHeight = 230, kMargin = 4;

}  // namespace

GraphMinimap::GraphMinimap(GraphView* view) : QWidget(view), view_(view) {
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Overview: click or drag to move the view"));
  hide();
}

void GraphMinimap::refresh() {
  const ViewGraph* vg = view_->view_graph();
  if (!vg || vg->items.empty() || vg->layout.width <= 0 || vg->layout.height <= 0) {
    hide();
    return;
  }
  const double s = std::min((kMaxWidth - 2.0 * kMargin) / vg->layout.width, (kMaxHeight - 2.0 * kMargin) / vg->layout.height);
  resize(std::max(40, static_cast<int>(vg->layout.width * s) + 2 * kMargin),
         std::max(40, static_cast<int>(vg->layout.height * s) + 2 * kMargin));
  update();
}

QRectF GraphMinimap::image_rect() const {
  const ViewGraph* vg = view_->view_graph();
  const double s = std::min((width() - 2.0 * kMargin) / vg->layout.width, (height() - 2.0 * kMargin) / vg->layout.height);
  const double w = vg->layout.width * s, h = vg->layout.height * s;
  return {(width() - w) / 2, (height() - h) / 2, w, h};
}

void GraphMinimap::paintEvent(QPaintEvent*) {
  const ViewGraph* vg = view_->view_graph();
  if (!vg || vg->layout.width <= 0) return;
  QPainter p(this);
  p.fillRect(rect(), QColor(255, 255, 255, 230));
  p.setPen(QColor(0xb0, 0xb8, 0xc0));
  p.drawRect(rect().adjusted(0, 0, -1, -1));
  const QRectF target = image_rect();
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  p.drawImage(target, view_->overview_image());
  const double s = target.width() / vg->layout.width;
  const QRectF v = view_->visible_scene_rect();
  QRectF frame(target.left() + v.left() * s, target.top() + v.top() * s, v.width() * s, v.height() * s);
  frame = frame.intersected(QRectF(rect()).adjusted(1, 1, -1, -1));
  p.setPen(QPen(QColor(0xe0, 0x60, 0x00), 1.5));
  p.setBrush(QColor(0xe0, 0x60, 0x00, 40));
  // A frame smaller than a few pixels would vanish: keep it findable.
  if (frame.width() < 6) frame.adjust(-3, 0, 3, 0);
  if (frame.height() < 6) frame.adjust(0, -3, 0, 3);
  p.drawRect(frame);
}

void GraphMinimap::jump(QPointF widget_point) {
  const ViewGraph* vg = view_->view_graph();
  if (!vg) return;
  const QRectF target = image_rect();
  const double s = target.width() / vg->layout.width;
  view_->center_on({(widget_point.x() - target.left()) / s, (widget_point.y() - target.top()) / s});
}

void GraphMinimap::mousePressEvent(QMouseEvent* e) { jump(e->position()); }

void GraphMinimap::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() & Qt::LeftButton) jump(e->position());
}

}  // namespace kiln
