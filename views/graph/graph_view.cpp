#include "views/graph/graph_view.h"

#include <QContextMenuEvent>
#include <QFileInfo>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "views/graph/graph_minimap.h"

namespace kiln {
namespace {

// Small enough to fit a 50,000-node network, millions of units tall, in a window.
constexpr double kMinScale = 0.00002, kMaxScale = 4.0;
// The overview picture's longest side; past this, a bigger picture costs memory and no clarity.
constexpr int kOverviewSide = 2048;
// The picture is drawn with boxes only, so it stands in for the live drawing only at scales
// where the live drawing would show boxes only too.
constexpr double kOverviewMaxScale = 0.2;
// Up to this many items, even the whole graph is drawn live (batched boxes take a few
// milliseconds) and stays crisp; past it the pre-rendered picture keeps frames fast.
constexpr size_t kLiveOverviewItems = 20000;
// Exports: a PNG of the whole graph stays within this many pixels.
constexpr double kMaxExportPixels = 60e6;
constexpr int kMaxExportSide = 16000;

}  // namespace

GraphView::GraphView(QWidget* parent) : QWidget(parent), minimap_(new GraphMinimap(this)) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(false);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setMinimumSize(200, 150);
}

GraphView::~GraphView() = default;

void GraphView::set_view_graph(std::shared_ptr<const ViewGraph> vg, bool keep_viewport) {
  const QPointF old_center = center();
  vg_ = std::move(vg);
  std::vector<Rect> rects;
  if (vg_) {
    rects.reserve(vg_->items.size());
    for (size_t i = 0; i < vg_->items.size(); ++i) {
      const layout::Point c = vg_->layout.centers[i];
      const layout::Size s = vg_->items[i].size;
      rects.push_back({c.x - s.w / 2, c.y - s.h / 2, c.x + s.w / 2, c.y + s.h / 2});
    }
    grid_.build(rects, vg_->layout.routes);
    painter_ = std::make_unique<GraphPainter>(*vg_, grid_);
  } else {
    grid_.build({}, {});
    painter_.reset();
  }
  deco_ = {};
  matches_.clear();
  match_pos_ = -1;
  render_overview();
  if (keep_viewport)
    center_on(old_center);
  else
    fit();
  minimap_->refresh();
  place_minimap();
  changed();
}

void GraphView::render_overview() {
  overview_ = QImage();
  overview_scale_ = 0;
  if (!vg_ || vg_->layout.width <= 0 || vg_->layout.height <= 0) return;
  overview_scale_ = std::min(1.0, kOverviewSide / std::max(vg_->layout.width, vg_->layout.height));
  const int w = std::max(1, static_cast<int>(std::ceil(vg_->layout.width * overview_scale_)));
  const int h = std::max(1, static_cast<int>(std::ceil(vg_->layout.height * overview_scale_)));
  overview_ = QImage(w, h, QImage::Format_ARGB32_Premultiplied);
  overview_.fill(QColor(0xfb, 0xfb, 0xfc));  // the canvas colour, so the switch is invisible
  QPainter p(&overview_);
  p.scale(overview_scale_, overview_scale_);
  painter_->paint(p, QRectF(0, 0, vg_->layout.width, vg_->layout.height), overview_scale_, deco_);
}

QTransform GraphView::scene_to_widget() const {
  return QTransform(scale_, 0, 0, scale_, -origin_.x() * scale_, -origin_.y() * scale_);
}

QPointF GraphView::to_scene(QPointF p) const { return origin_ + p / scale_; }

QPointF GraphView::center() const { return to_scene(QPointF(width() / 2.0, height() / 2.0)); }

QRectF GraphView::visible_scene_rect() const {
  return QRectF(origin_, QSizeF(width() / scale_, height() / scale_));
}

void GraphView::set_scale(double scale, QPointF anchor) {
  const QPointF fixed = to_scene(anchor);
  scale_ = std::clamp(scale, kMinScale, kMaxScale);
  origin_ = fixed - anchor / scale_;
  changed();
}

void GraphView::zoom_by(double factor) { set_scale(scale_ * factor, QPointF(width() / 2.0, height() / 2.0)); }

void GraphView::center_on(QPointF p) {
  origin_ = p - QPointF(width() / 2.0, height() / 2.0) / scale_;
  changed();
}

void GraphView::pan_by(QPointF delta) {
  origin_ -= delta / scale_;
  changed();
}

void GraphView::fit() {
  if (!vg_ || vg_->layout.width <= 0) {
    scale_ = 1;
    origin_ = {};
    changed();
    return;
  }
  const double margin = 24;
  const double s = std::min((width() - 2 * margin) / vg_->layout.width, (height() - 2 * margin) / vg_->layout.height);
  // A small graph is shown at a readable size, not blown up.
  scale_ = std::clamp(s, kMinScale, 1.0);
  center_on(QPointF(vg_->layout.width / 2, vg_->layout.height / 2));
}

void GraphView::changed() {
  update();
  // The minimap earns its corner only when part of the graph is out of sight.
  const bool whole = vg_ && visible_scene_rect().contains(QRectF(0, 0, vg_->layout.width, vg_->layout.height));
  minimap_->setVisible(vg_ && !vg_->items.empty() && !whole);
  minimap_->update();
  emit viewportChanged();
}

void GraphView::place_minimap() {
  minimap_->move(width() - minimap_->width() - 10, height() - minimap_->height() - 10);
}

void GraphView::paint_scene(QPainter& p, const QRectF& world, double scale, bool full_detail) const {
  if (painter_) painter_->paint(p, world, scale, deco_, full_detail);
}

void GraphView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(0xfb, 0xfb, 0xfc));
  if (!vg_ || vg_->items.empty()) {
    p.setPen(QColor(0x70, 0x78, 0x80));
    p.drawText(rect(), Qt::AlignCenter, tr("No graph to show"));
    return;
  }
  if (scale_ <= overview_scale_ && scale_ < kOverviewMaxScale && !overview_.isNull() &&
      vg_->items.size() > kLiveOverviewItems) {
    // Zoomed out past the overview's resolution: the pre-rendered picture is exact enough.
    p.setTransform(scene_to_widget());
    // Shrinking the picture by nearest pixel would drop whole rows of thin edges.
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(QRectF(0, 0, vg_->layout.width, vg_->layout.height), overview_);
    if (deco_.selected >= 0 || !matches_.empty() || !deco_.diff.empty()) {
      // Marks must stay visible even when the nodes are sub-pixel.
      p.resetTransform();
      auto mark = [&](uint32_t i, const QColor& c) {
        const layout::Point pt = vg_->layout.centers[i];
        const QPointF w = (QPointF(pt.x, pt.y) - origin_) * scale_;
        p.setPen(QPen(c, 2));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(w, 5, 5);
      };
      for (size_t i = 0; i < deco_.diff.size(); ++i)
        if (deco_.diff[i] != DiffMark::None) mark(static_cast<uint32_t>(i), GraphPainter::diff_color(deco_.diff[i]));
      for (uint32_t i : matches_) mark(i, QColor(0xff, 0xd0, 0x00));
      if (deco_.selected >= 0) mark(static_cast<uint32_t>(deco_.selected), QColor(0xff, 0x9f, 0x00));
    }
    return;
  }
  p.setTransform(scene_to_widget());
  painter_->paint(p, visible_scene_rect(), scale_, deco_);
}

void GraphView::resizeEvent(QResizeEvent*) {
  place_minimap();
  changed();
}

void GraphView::wheelEvent(QWheelEvent* e) {
  const double steps = e->angleDelta().y() / 120.0;
  set_scale(scale_ * std::pow(1.2, steps), e->position());
  e->accept();
}

void GraphView::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  press_pos_ = e->position().toPoint();
  press_origin_ = origin_;
  dragging_ = false;
}

void GraphView::mouseMoveEvent(QMouseEvent* e) {
  if (!(e->buttons() & Qt::LeftButton)) return;
  if (!dragging_ && (e->position().toPoint() - press_pos_).manhattanLength() < 4) return;
  dragging_ = true;
  setCursor(Qt::ClosedHandCursor);
  origin_ = press_origin_ - (e->position() - QPointF(press_pos_)) / scale_;
  changed();
}

void GraphView::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  unsetCursor();
  if (!dragging_) select_item(item_at(e->position()), false);
  dragging_ = false;
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* e) {
  const int64_t i = item_at(e->position());
  if (i < 0) return;
  const ViewItem& it = vg_->items[static_cast<size_t>(i)];
  if (it.kind == ViewItem::Kind::Group)
    emit scopeToggleRequested(QString::fromStdString(it.name), false);
  else if (it.has_body)
    emit bodyToggleRequested(it.node, !it.body_expanded);
}

void GraphView::contextMenuEvent(QContextMenuEvent* e) {
  const int64_t i = item_at(e->pos());
  if (i < 0) return;
  const ViewItem& it = vg_->items[static_cast<size_t>(i)];
  QMenu menu(this);
  if (it.kind == ViewItem::Kind::Group) {
    const QString scope = QString::fromStdString(it.name);
    menu.addAction(tr("Expand %1").arg(scope), this, [this, scope] { emit scopeToggleRequested(scope, false); });
  }
  if (it.kind == ViewItem::Kind::Op) {
    for (const std::string& s : scopes_of(it.name)) {
      const QString scope = QString::fromStdString(s);
      menu.addAction(tr("Collapse %1").arg(scope), this, [this, scope] { emit scopeToggleRequested(scope, true); });
    }
    if (it.has_body) {
      const NodeId node = it.node;
      const bool expand = !it.body_expanded;
      menu.addAction(expand ? tr("Expand body") : tr("Collapse body"), this,
                     [this, node, expand] { emit bodyToggleRequested(node, expand); });
    }
  }
  if (!menu.isEmpty()) menu.exec(e->globalPos());
}

void GraphView::keyPressEvent(QKeyEvent* e) {
  switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoom_by(1.25); break;
    case Qt::Key_Minus: zoom_by(0.8); break;
    case Qt::Key_F: fit(); break;
    case Qt::Key_F3: (e->modifiers() & Qt::ShiftModifier) ? previous_match() : next_match(); break;
    default: QWidget::keyPressEvent(e); return;
  }
}

bool GraphView::event(QEvent* e) {
  if (e->type() != QEvent::ToolTip) return QWidget::event(e);
  // Boxes show the op type; the name, the weights and the group contents are a hover away.
  auto* help = static_cast<QHelpEvent*>(e);
  const int64_t i = item_at(help->pos());
  if (i < 0) {
    QToolTip::hideText();
    e->ignore();
    return true;
  }
  const ViewItem& it = vg_->items[static_cast<size_t>(i)];
  QStringList lines{QStringLiteral("<b>%1</b>").arg(QString::fromStdString(it.title).toHtmlEscaped())};
  if (!it.name.empty() && it.name != it.title) lines << QString::fromStdString(it.name).toHtmlEscaped();
  for (const std::string& c : it.constants) lines << QString::fromStdString(c).toHtmlEscaped();
  if (it.kind == ViewItem::Kind::Group)
    lines << tr("%1 nodes; double-click to expand").arg(it.members.size());
  else if (it.has_body)
    lines << tr("double-click to %1 its body").arg(it.body_expanded ? tr("collapse") : tr("expand"));
  QToolTip::showText(help->globalPos(), lines.join(QStringLiteral("<br>")), this);
  return true;
}

int64_t GraphView::item_at(QPointF widget_point) const {
  if (!vg_) return -1;
  const QPointF s = to_scene(widget_point);
  return grid_.item_at(s.x(), s.y());
}

void GraphView::set_diff(const std::unordered_map<NodeId, DiffMark>& marks) {
  deco_.diff.assign(vg_ ? vg_->items.size() : 0, DiffMark::None);
  if (!vg_) return;
  for (const auto& [node, mark] : marks)
    if (auto it = vg_->item_of_node.find(node); it != vg_->item_of_node.end())
      deco_.diff[it->second] = std::max(deco_.diff[it->second], mark);
  update();
}

void GraphView::set_heat(const std::unordered_map<NodeId, float>& values) {
  deco_.heat.assign(vg_ ? vg_->items.size() : 0, -1.f);
  if (!vg_) return;
  for (const auto& [node, v] : values)
    if (auto it = vg_->item_of_node.find(node); it != vg_->item_of_node.end())
      deco_.heat[it->second] = std::max(deco_.heat[it->second], std::clamp(v, 0.f, 1.f));
  render_overview();
  update();
}

void GraphView::clear_decorations() {
  const int64_t selected = deco_.selected;
  deco_ = {};
  deco_.selected = selected;
  matches_.clear();
  match_pos_ = -1;
  render_overview();
  update();
}

int GraphView::search(const QString& pattern, bool regex) {
  matches_.clear();
  match_pos_ = -1;
  deco_.matched.assign(vg_ ? vg_->items.size() : 0, 0);
  if (!vg_ || pattern.isEmpty()) {
    update();
    return 0;
  }
  const QRegularExpression re(regex ? pattern : QRegularExpression::escape(pattern),
                              QRegularExpression::CaseInsensitiveOption);
  if (!re.isValid()) {
    update();
    return 0;
  }
  for (uint32_t i = 0; i < vg_->items.size(); ++i) {
    const ViewItem& it = vg_->items[i];
    // A collapsed group matches when one of the nodes inside it does.
    const bool hit = re.match(QString::fromStdString(it.title)).hasMatch() ||
                     re.match(QString::fromStdString(it.name)).hasMatch() ||
                     std::any_of(it.member_ops.begin(), it.member_ops.end(), [&](const std::string& m) {
                       const size_t space = m.find(' ');
                       return re.match(QString::fromStdString(m.substr(0, space))).hasMatch() ||
                              re.match(QString::fromStdString(m.substr(space + 1))).hasMatch();
                     });
    if (hit) {
      matches_.push_back(i);
      deco_.matched[i] = 1;
    }
  }
  // Top to bottom, the order a reader follows the graph.
  std::stable_sort(matches_.begin(), matches_.end(), [&](uint32_t a, uint32_t b) {
    const auto pa = vg_->layout.centers[a], pb = vg_->layout.centers[b];
    return pa.y != pb.y ? pa.y < pb.y : pa.x < pb.x;
  });
  if (!matches_.empty()) {
    match_pos_ = 0;
    select_item(matches_[0]);
  }
  update();
  return static_cast<int>(matches_.size());
}

void GraphView::next_match() {
  if (matches_.empty()) return;
  match_pos_ = (match_pos_ + 1) % static_cast<int>(matches_.size());
  select_item(matches_[static_cast<size_t>(match_pos_)]);
}

void GraphView::previous_match() {
  if (matches_.empty()) return;
  match_pos_ = (match_pos_ + static_cast<int>(matches_.size()) - 1) % static_cast<int>(matches_.size());
  select_item(matches_[static_cast<size_t>(match_pos_)]);
}

void GraphView::select_item(int64_t item, bool center) {
  if (!vg_ || item >= static_cast<int64_t>(vg_->items.size())) item = -1;
  deco_.selected = item;
  if (item >= 0 && center) {
    // Close enough to read what was found.
    if (scale_ < 0.6) scale_ = 0.8;
    const layout::Point c = vg_->layout.centers[static_cast<size_t>(item)];
    center_on(QPointF(c.x, c.y));
  }
  update();
  emit itemSelected(item);
  if (item >= 0 && vg_->items[static_cast<size_t>(item)].kind == ViewItem::Kind::Op)
    emit nodeSelected(vg_->items[static_cast<size_t>(item)].node);
}

int64_t GraphView::item_of_node(NodeId id) const {
  if (!vg_) return -1;
  auto it = vg_->item_of_node.find(id);
  return it == vg_->item_of_node.end() ? -1 : it->second;
}

void GraphView::select_node(NodeId id) { select_item(item_of_node(id)); }

bool GraphView::export_png(const QString& path, bool whole_graph, QString* error) {
  if (!vg_ || vg_->items.empty()) {
    if (error) *error = tr("there is no graph to export");
    return false;
  }
  QImage image;
  if (whole_graph) {
    const double w = vg_->layout.width + 40, h = vg_->layout.height + 40;
    const double s = std::min({1.0, std::sqrt(kMaxExportPixels / (w * h)), kMaxExportSide / w, kMaxExportSide / h});
    image = QImage(std::max(1, static_cast<int>(w * s)), std::max(1, static_cast<int>(h * s)), QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.scale(s, s);
    p.translate(20, 20);
    painter_->paint(p, QRectF(-20, -20, w, h), s, deco_);
  } else {
    image = QImage(size(), QImage::Format_RGB32);
    QPainter p(&image);
    p.fillRect(image.rect(), QColor(0xfb, 0xfb, 0xfc));
    p.setTransform(scene_to_widget());
    painter_->paint(p, visible_scene_rect(), scale_, deco_);
  }
  if (!image.save(path, "PNG")) {
    if (error) *error = tr("cannot write %1").arg(path);
    return false;
  }
  return true;
}

bool GraphView::export_svg(const QString& path, QString* error) {
  if (!vg_ || vg_->items.empty()) {
    if (error) *error = tr("there is no graph to export");
    return false;
  }
  QSvgGenerator svg;
  svg.setFileName(path);
  const QSize size(static_cast<int>(vg_->layout.width) + 40, static_cast<int>(vg_->layout.height) + 40);
  svg.setSize(size);
  svg.setViewBox(QRect(QPoint(0, 0), size));
  svg.setTitle(QFileInfo(path).completeBaseName());
  svg.setDescription(tr("Graph exported by Kiln"));
  QPainter p;
  if (!p.begin(&svg)) {
    if (error) *error = tr("cannot write %1").arg(path);
    return false;
  }
  p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
  p.translate(20, 20);
  painter_->paint(p, QRectF(-20, -20, size.width(), size.height()), 1.0, deco_, true);
  p.end();
  if (!QFileInfo(path).exists()) {
    if (error) *error = tr("cannot write %1").arg(path);
    return false;
  }
  return true;
}

}  // namespace kiln
