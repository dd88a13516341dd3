#include "views/graph/graph_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace kiln {
namespace {

// Past this many nodes a fully expanded graph is a tall thread at fit; its blocks read better.
constexpr size_t kAutoCollapseAbove = 4000;

}  // namespace

GraphPanel::GraphPanel(QWidget* parent) : QWidget(parent), view_(new GraphView), job_(new LayoutJob(this)) {
  auto* bar = new QHBoxLayout;
  bar->setContentsMargins(4, 2, 4, 2);
  auto tool = [&](const QString& text, const QString& tip, auto fn) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    connect(b, &QToolButton::clicked, this, fn);
    bar->addWidget(b);
    return b;
  };
  tool(tr("Fit"), tr("Fit the whole graph (F)"), [this] { view_->fit(); });
  tool(tr("+"), tr("Zoom in (+)"), [this] { view_->zoom_by(1.25); });
  tool(tr("−"), tr("Zoom out (-)"), [this] { view_->zoom_by(0.8); });
  depth_ = new QComboBox;
  depth_->setToolTip(tr("Collapse name scopes (/encoder/layer.3/...) into single boxes"));
  depth_->addItem(tr("Scopes expanded"), 0);
  connect(depth_, &QComboBox::activated, this, [this](int i) { collapse_to_depth(depth_->itemData(i).toInt()); });
  bar->addWidget(depth_);
  bar->addStretch(1);
  search_ = new QLineEdit;
  search_->setPlaceholderText(tr("Find op type or name"));
  search_->setClearButtonEnabled(true);
  search_->setMinimumWidth(180);
  connect(search_, &QLineEdit::returnPressed, this, [this] {
    if (view_->match_count() > 0)
      view_->next_match();
    else
      run_search();
  });
  connect(search_, &QLineEdit::textChanged, this, &GraphPanel::run_search);
  bar->addWidget(search_);
  regex_ = new QCheckBox(tr("Regex"));
  connect(regex_, &QCheckBox::toggled, this, &GraphPanel::run_search);
  bar->addWidget(regex_);
  tool(tr("◀"), tr("Previous match (Shift+F3)"), [this] {
    view_->previous_match();
    matches_->setText(view_->match_count() ? tr("%1 / %2").arg(view_->match_index() + 1).arg(view_->match_count())
                                           : QString());
  });
  tool(tr("▶"), tr("Next match (F3)"), [this] {
    view_->next_match();
    matches_->setText(view_->match_count() ? tr("%1 / %2").arg(view_->match_index() + 1).arg(view_->match_count())
                                           : QString());
  });
  matches_ = new QLabel;
  matches_->setMinimumWidth(60);
  bar->addWidget(matches_);
  auto* exp = new QToolButton;
  exp->setText(tr("Export"));
  exp->setPopupMode(QToolButton::InstantPopup);
  exp->setAutoRaise(true);
  auto* menu = new QMenu(exp);
  auto export_to = [this](bool whole, bool svg) {
    const QString filter = svg ? tr("SVG images (*.svg)") : tr("PNG images (*.png)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export graph"), {}, filter);
    if (path.isEmpty()) return;
    QString error;
    const bool ok = svg ? view_->export_svg(path, &error) : view_->export_png(path, whole, &error);
    if (!ok)
      QMessageBox::warning(this, tr("Kiln"), tr("Could not export the graph: %1").arg(error));
    else
      emit message(tr("Exported the graph to %1").arg(path));
  };
  menu->addAction(tr("Visible part as PNG..."), this, [export_to] { export_to(false, false); });
  menu->addAction(tr("Whole graph as PNG..."), this, [export_to] { export_to(true, false); });
  menu->addAction(tr("Whole graph as SVG..."), this, [export_to] { export_to(true, true); });
  exp->setMenu(menu);
  bar->addWidget(exp);
  progress_ = new QProgressBar;
  progress_->setRange(0, 100);
  progress_->setMaximumWidth(140);
  progress_->setFormat(tr("layout %p%"));
  progress_->hide();
  bar->addWidget(progress_);
  cancel_ = new QToolButton;
  cancel_->setText(tr("Cancel"));
  cancel_->setToolTip(tr("Stop laying out the graph"));
  cancel_->hide();
  connect(cancel_, &QToolButton::clicked, job_, &LayoutJob::cancel);
  bar->addWidget(cancel_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(bar);
  layout->addWidget(view_, 1);

  connect(view_, &GraphView::nodeSelected, this, &GraphPanel::nodeSelected);
  connect(view_, &GraphView::scopeToggleRequested, this, &GraphPanel::set_scope_collapsed);
  connect(view_, &GraphView::bodyToggleRequested, this,
          [this](quint64 node, bool expand) { set_body_expanded(node, expand); });
  connect(job_, &LayoutJob::progress, progress_, &QProgressBar::setValue);
  connect(job_, &LayoutJob::finished, this, [this](std::shared_ptr<const ViewGraph> vg, qint64 ms) {
    progress_->hide();
    cancel_->hide();
    last_layout_ms_ = ms;
    // From now on the collapsed set is explicit: expanding one group keeps the others.
    options_.collapsed_scopes = vg->collapsed_scopes;
    options_.auto_collapse_above = 0;
    if (vg->auto_collapsed_depth > 0)
      emit message(tr("%1 nodes: scopes collapsed at level %2 (double-click a box to expand it)")
                       .arg(model_ ? model_->graph->node_count() : 0)
                       .arg(vg->auto_collapsed_depth));
    view_->set_view_graph(vg, keep_viewport_);
    if (!diff_.empty()) view_->set_diff(diff_);
    update_depths();
    if (!search_->text().isEmpty()) run_search();
    emit message(tr("Laid out %1 boxes and %2 edges in %3 ms").arg(vg->items.size()).arg(vg->edges.size()).arg(ms));
    emit layoutFinished();
  });
  connect(job_, &LayoutJob::cancelled, this, [this] {
    progress_->hide();
    cancel_->hide();
    emit message(tr("Layout cancelled"));
  });
}

void GraphPanel::show_model(std::shared_ptr<const Model> model, bool keep_viewport,
                            std::unordered_map<NodeId, DiffMark> diff) {
  const bool same = model && model == model_;
  if (!keep_viewport && !same) {
    // Another model: its own scopes, bodies, and the big-graph default.
    options_ = {};
    options_.auto_collapse_above = kAutoCollapseAbove;
  }
  model_ = std::move(model);
  diff_ = std::move(diff);
  if (same && view_->view_graph() && !job_->running()) {
    // Same snapshot, other marks: no need to lay it out again.
    view_->clear_decorations();
    if (!diff_.empty()) view_->set_diff(diff_);
    return;
  }
  relayout(keep_viewport);
}

void GraphPanel::relayout(bool keep_viewport) {
  if (!model_) {
    job_->cancel();
    view_->set_view_graph(nullptr);
    return;
  }
  keep_viewport_ = keep_viewport;
  progress_->setValue(0);
  progress_->show();
  cancel_->show();
  job_->start(model_, options_);
}

void GraphPanel::update_depths() {
  int deepest = 0;
  if (const ViewGraph* vg = view_->view_graph())
    for (const std::string& s : vg->scopes) deepest = std::max(deepest, scope_depth(s));
  int current = depth_->currentData().toInt();
  if (const ViewGraph* vg = view_->view_graph(); vg && vg->auto_collapsed_depth > 0) current = vg->auto_collapsed_depth;
  depth_->blockSignals(true);
  depth_->clear();
  depth_->addItem(tr("Scopes expanded"), 0);
  for (int d = 1; d <= deepest; ++d) depth_->addItem(tr("Scopes collapsed at level %1").arg(d), d);
  depth_->setCurrentIndex(std::max(0, depth_->findData(current)));
  depth_->blockSignals(false);
  depth_->setEnabled(deepest > 0);
}

void GraphPanel::collapse_to_depth(int depth) {
  options_.collapsed_scopes.clear();
  if (const ViewGraph* vg = view_->view_graph(); vg && depth > 0)
    for (const std::string& s : vg->scopes)
      if (scope_depth(s) == depth) options_.collapsed_scopes.insert(s);
  relayout(false);
}

void GraphPanel::set_scope_collapsed(const QString& scope, bool collapsed) {
  if (collapsed)
    options_.collapsed_scopes.insert(scope.toStdString());
  else
    options_.collapsed_scopes.erase(scope.toStdString());
  relayout(true);
}

void GraphPanel::set_body_expanded(NodeId node, bool expanded) {
  if (expanded)
    options_.expanded_bodies.insert(node);
  else
    options_.expanded_bodies.erase(node);
  relayout(true);
}

void GraphPanel::run_search() {
  const int n = view_->search(search_->text(), regex_->isChecked());
  matches_->setText(search_->text().isEmpty() ? QString()
                    : n ? tr("%1 / %2").arg(view_->match_index() + 1).arg(n)
                        : tr("no match"));
}

bool GraphPanel::export_image(const QString& path, bool whole_graph, QString* error) {
  return path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive) ? view_->export_svg(path, error)
                                                                     : view_->export_png(path, whole_graph, error);
}

}  // namespace kiln
