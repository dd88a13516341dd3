#include "views/graph/graph_painter.h"

#include <QFont>
#include <QLineF>
#include <QPainter>
#include <QPolygonF>
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

namespace kiln {
namespace {

// Below this scale boxes are a few pixels tall: fills only, batched, no antialiasing.
constexpr double kOverviewScale = 0.22;
// From here names are legible.
constexpr double kTextScale = 0.38;
// From here weights inside nodes and shapes on edges are legible.
constexpr double kDetailScale = 0.65;

QRectF item_rect(const ViewGraph& vg, uint32_t i) {
  const layout::Point c = vg.layout.centers[i];
  const layout::Size s = vg.items[i].size;
  return {c.x - s.w / 2, c.y - s.h / 2, s.w, s.h};
}

QColor item_fill(const ViewItem& it, uint32_t i, const ItemDecorations& deco) {
  if (i < deco.heat.size() && deco.heat[i] >= 0) return GraphPainter::heat_color(deco.heat[i]);
  switch (it.kind) {
    case ViewItem::Kind::Group: return QColor(0xdd, 0xe6, 0xf0);
    case ViewItem::Kind::Input:
    case ViewItem::Kind::Output: return QColor(0xee, 0xee, 0xee);
    case ViewItem::Kind::Op: break;
  }
  return GraphPainter::category_color(it.category);
}

bool dark_text(const ViewItem& it, uint32_t i, const ItemDecorations& deco) {
  if (i < deco.heat.size() && deco.heat[i] >= 0) return deco.heat[i] > 0.3f && deco.heat[i] < 0.8f;
  return it.kind != ViewItem::Kind::Op;
}

}  // namespace

QColor GraphPainter::category_color(OpCategory c) {
  switch (c) {
    case OpCategory::Convolution: return QColor(0x3d, 0x6f, 0xb6);
    case OpCategory::MatMul: return QColor(0x2f, 0x55, 0x8f);
    case OpCategory::Activation: return QColor(0xb0, 0x45, 0x3f);
    case OpCategory::Normalization: return QColor(0x3f, 0x7d, 0x4f);
    case OpCategory::Pooling: return QColor(0x2f, 0x80, 0x80);
    case OpCategory::Elementwise: return QColor(0x7a, 0x62, 0xb0);
    case OpCategory::Shape: return QColor(0x8a, 0x6d, 0x57);
    case OpCategory::Reduction: return QColor(0xc0, 0x78, 0x28);
    case OpCategory::ControlFlow: return QColor(0x4a, 0x4a, 0x4a);
    case OpCategory::Constant: return QColor(0x80, 0x80, 0x80);
    case OpCategory::Fused: return QColor(0xa8, 0x86, 0x10);
    case OpCategory::Other: return QColor(0x66, 0x6b, 0x70);
  }
  return QColor(0x66, 0x6b, 0x70);
}

QColor GraphPainter::heat_color(float t) {
  // Blue through pale yellow to red (ColorBrewer RdYlBu, reversed): cold is fast or exact.
  t = std::clamp(t, 0.f, 1.f);
  const QColor lo(0x2c, 0x7b, 0xb6), mid(0xff, 0xff, 0xbf), hi(0xd7, 0x19, 0x1c);
  const QColor& a = t < 0.5f ? lo : mid;
  const QColor& b = t < 0.5f ? mid : hi;
  const float u = t < 0.5f ? t * 2 : (t - 0.5f) * 2;
  return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * u, a.greenF() + (b.greenF() - a.greenF()) * u,
                          a.blueF() + (b.blueF() - a.blueF()) * u);
}

QColor GraphPainter::diff_color(DiffMark m) {
  switch (m) {
    case DiffMark::Added: return QColor(0x1f, 0xb0, 0x3a);
    case DiffMark::Removed: return QColor(0xe0, 0x24, 0x24);
    case DiffMark::Modified: return QColor(0xff, 0x8c, 0x00);
    case DiffMark::None: break;
  }
  return {};
}

void GraphPainter::paint(QPainter& p, const QRectF& world, double scale, const ItemDecorations& deco,
                         bool full_detail) const {
  if (vg_.items.empty()) return;
  grid_.query({world.left(), world.top(), world.right(), world.bottom()}, items_, edges_);
  const bool overview = !full_detail && scale < kOverviewScale;
  const bool text = full_detail || scale >= kTextScale;
  const bool detail = full_detail || scale >= kDetailScale;
  p.setRenderHint(QPainter::Antialiasing, text);
  p.setRenderHint(QPainter::TextAntialiasing, text);

  // Edges: one batched call for every segment.
  std::vector<QLineF> lines;
  lines.reserve(edges_.size() * 2);
  // Far out, most segments are shorter than a pixel and hidden by the boxes they join: skipping
  // them keeps a whole-graph frame cheap.
  const double min_length = overview ? 0.75 / scale : 0;
  for (uint32_t e : edges_) {
    const auto& r = vg_.layout.routes[e];
    for (size_t k = 1; k < r.size(); ++k)
      if (std::abs(r[k].x - r[k - 1].x) + std::abs(r[k].y - r[k - 1].y) >= min_length)
        lines.emplace_back(r[k - 1].x, r[k - 1].y, r[k].x, r[k].y);
  }
  QPen edge_pen(QColor(0x8a, 0x94, 0x9e));
  edge_pen.setCosmetic(true);
  edge_pen.setWidthF(text ? 1.3 : 1.0);
  p.setPen(edge_pen);
  p.drawLines(lines.data(), static_cast<int>(lines.size()));
  if (text) {
    p.setBrush(QColor(0x6a, 0x74, 0x7e));
    p.setPen(Qt::NoPen);
    for (uint32_t e : edges_) {
      const auto& r = vg_.layout.routes[e];
      if (r.size() < 2) continue;
      const QPointF tip(r.back().x, r.back().y), from(r[r.size() - 2].x, r[r.size() - 2].y);
      QLineF dir(tip, from);
      if (dir.length() < 1e-6) continue;
      dir.setLength(7);
      QLineF left = dir, right = dir;
      left.setAngle(dir.angle() + 25);
      right.setAngle(dir.angle() - 25);
      const QPointF tri[3] = {tip, left.p2(), right.p2()};
      p.drawPolygon(tri, 3);
    }
  }
  if (detail) {
    QFont f = p.font();
    f.setPixelSize(9);
    p.setFont(f);
    p.setPen(QColor(0x55, 0x5e, 0x68));
    for (uint32_t e : edges_) {
      const auto& r = vg_.layout.routes[e];
      const std::string& label = vg_.edges[e].label;
      if (r.size() < 2 || label.empty()) continue;
      p.drawText(QPointF(r.back().x + 4, r.back().y - 6), QString::fromStdString(label));
    }
  }

  if (overview) {
    // Fills only, grouped by colour so each colour is one call.
    // Each box at least 3×2 pixels, so a block or a small op stays visible however far out.
    const double min_w = 3 / scale, min_h = 2 / scale;
    std::map<QRgb, std::vector<QRectF>> by_color;
    // Boxes landing on a pixel already drawn add nothing; at a whole-graph zoom that is most.
    std::unordered_set<uint64_t> pixels;
    for (uint32_t i : items_) {
      const layout::Point c = vg_.layout.centers[i];
      const uint64_t px = static_cast<uint64_t>(static_cast<int64_t>(std::floor(c.x * scale)) & 0xffffffff);
      const uint64_t py = static_cast<uint64_t>(static_cast<int64_t>(std::floor(c.y * scale)) & 0xffffffff);
      if (vg_.items[i].size.h * scale < 1 && !pixels.insert(px << 32 | py).second) continue;
      QRectF r = item_rect(vg_, i);
      if (r.width() < min_w) r.adjust(-(min_w - r.width()) / 2, 0, (min_w - r.width()) / 2, 0);
      if (r.height() < min_h) r.adjust(0, -(min_h - r.height()) / 2, 0, (min_h - r.height()) / 2);
      // Groups are pale behind their text; without text they need body to be seen at all.
      const QColor fill = vg_.items[i].kind == ViewItem::Kind::Group && !(i < deco.heat.size() && deco.heat[i] >= 0)
                              ? QColor(0x7f, 0x9c, 0xbc)
                              : item_fill(vg_.items[i], i, deco);
      by_color[fill.rgb()].push_back(r);
    }
    p.setPen(Qt::NoPen);
    for (const auto& [rgb, rects] : by_color) {
      p.setBrush(QColor::fromRgb(rgb));
      p.drawRects(rects.data(), static_cast<int>(rects.size()));
    }
    for (uint32_t i : items_) {
      const DiffMark m = i < deco.diff.size() ? deco.diff[i] : DiffMark::None;
      const bool marked = m != DiffMark::None || static_cast<int64_t>(i) == deco.selected ||
                          (i < deco.matched.size() && deco.matched[i]);
      if (!marked) continue;
      QPen pen(static_cast<int64_t>(i) == deco.selected ? QColor(0xff, 0xbf, 0x00)
               : m != DiffMark::None                    ? diff_color(m)
                                                        : QColor(0xff, 0xe0, 0x40));
      pen.setCosmetic(true);
      pen.setWidthF(3);
      p.setPen(pen);
      p.setBrush(Qt::NoBrush);
      p.drawRect(item_rect(vg_, i).adjusted(-6, -6, 6, 6));
    }
    return;
  }

  QFont title_font = p.font();
  title_font.setPixelSize(12);
  title_font.setBold(true);
  QFont small_font = p.font();
  small_font.setPixelSize(10);
  small_font.setBold(false);
  for (uint32_t i : items_) {
    const ViewItem& it = vg_.items[i];
    const QRectF r = item_rect(vg_, i);
    const DiffMark m = i < deco.diff.size() ? deco.diff[i] : DiffMark::None;
    const bool selected = static_cast<int64_t>(i) == deco.selected;
    const bool matched = i < deco.matched.size() && deco.matched[i];
    QPen outline(it.kind == ViewItem::Kind::Op ? QColor(0, 0, 0, 60) : QColor(0x90, 0x9a, 0xa6));
    outline.setWidthF(1);
    if (it.kind == ViewItem::Kind::Group) outline.setStyle(Qt::DashLine);
    if (m != DiffMark::None || selected || matched) {
      outline = QPen(selected ? QColor(0xff, 0xbf, 0x00) : m != DiffMark::None ? diff_color(m) : QColor(0xff, 0xd0, 0x00));
      outline.setWidthF(3.5);
    }
    p.setPen(outline);
    p.setBrush(item_fill(it, i, deco));
    const double radius = it.kind == ViewItem::Kind::Op || it.kind == ViewItem::Kind::Group ? 4 : r.height() / 2;
    if (text)
      p.drawRoundedRect(r, std::min(radius, 12.0), std::min(radius, 12.0));
    else
      p.drawRect(r);
    if (m != DiffMark::None && text) {
      // A tag says what happened without relying on colour alone.
      const char* tag = m == DiffMark::Added ? "+" : m == DiffMark::Removed ? "−" : "~";
      p.setPen(Qt::white);
      p.setBrush(diff_color(m));
      const QRectF badge(r.right() - 7, r.top() - 7, 14, 14);
      p.drawEllipse(badge);
      p.setFont(title_font);
      p.drawText(badge, Qt::AlignCenter, QString::fromUtf8(tag));
    }
    if (!text) continue;
    p.setPen(dark_text(it, i, deco) ? QColor(0x22, 0x28, 0x30) : QColor(Qt::white));
    p.setFont(title_font);
    const QRectF title_rect(r.left() + 4, r.top() + 3, r.width() - 8, 18);
    if (it.kind == ViewItem::Kind::Group) {
      p.drawText(title_rect, Qt::AlignCenter | Qt::TextSingleLine, QString::fromStdString("▸ " + it.title));
      p.setFont(small_font);
      p.drawText(QRectF(r.left() + 4, r.top() + 20, r.width() - 8, 14), Qt::AlignCenter | Qt::TextSingleLine,
                 QStringLiteral("%1 nodes").arg(it.members.size()));
      continue;
    }
    QString title = QString::fromStdString(it.title);
    if (it.has_body) title += it.body_expanded ? QStringLiteral(" ▾") : QStringLiteral(" ▸");
    p.drawText(title_rect, Qt::AlignCenter | Qt::TextSingleLine, title);
    if (!detail || it.constants.empty()) continue;
    p.setFont(small_font);
    const size_t shown = std::min<size_t>(it.constants.size(), 4);
    double y = r.top() + 22;
    for (size_t k = 0; k < shown; ++k, y += 13)
      p.drawText(QRectF(r.left() + 6, y, r.width() - 10, 13), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                 QString::fromStdString(it.constants[k]));
    if (it.constants.size() > shown)
      p.drawText(QRectF(r.left() + 6, y, r.width() - 10, 13), Qt::AlignLeft | Qt::AlignVCenter,
                 QStringLiteral("+%1 more").arg(it.constants.size() - shown));
  }
}

}  // namespace kiln
