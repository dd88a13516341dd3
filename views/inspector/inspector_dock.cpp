#include "views/inspector/inspector_dock.h"

#include <QComboBox>
#include <cmath>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>

#include "passes/framework/rewriter.h"
#include "views/graph/op_category.h"
#include "views/model_queries.h"

namespace kiln {
namespace {

QString value_text(const Value* v) {
  if (!v) return QObject::tr("(omitted)");
  QString s = QString::fromStdString(v->type.str());
  if (v->is_initializer()) s += QObject::tr("  weight");
  if (v->is_graph_input()) s += QObject::tr("  graph input");
  if (v->is_graph_output()) s += QObject::tr("  graph output");
  return s;
}

QTreeWidgetItem* section(QTreeWidget* tree, const QString& title) {
  auto* item = new QTreeWidgetItem(tree, {title});
  QFont f = item->font(0);
  f.setBold(true);
  item->setFont(0, f);
  item->setExpanded(true);
  item->setFirstColumnSpanned(true);
  return item;
}

void row(QTreeWidgetItem* parent, const QString& key, const QString& value) {
  auto* item = new QTreeWidgetItem(parent, {key, value});
  item->setToolTip(0, key);
  item->setToolTip(1, value);
}

}  // namespace

InspectorDock::InspectorDock(QWidget* parent) : QWidget(parent) {
  tree_ = new QTreeWidget;
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({tr("Property"), tr("Value")});
  // Value names can be very long; the property column keeps a fixed share so values stay
  // visible, and tooltips carry the full text.
  tree_->header()->setSectionResizeMode(0, QHeaderView::Interactive);
  tree_->setColumnWidth(0, 150);
  tree_->setTextElideMode(Qt::ElideMiddle);
  tree_->setUniformRowHeights(true);
  weight_choice_ = new QComboBox;
  connect(weight_choice_, &QComboBox::currentIndexChanged, this, &InspectorDock::show_weight);
  weight_text_ = new QLabel;
  weight_text_->setWordWrap(true);
  weight_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  chart_ = new QChart;
  chart_->legend()->hide();
  chart_->setMargins(QMargins(2, 2, 2, 2));
  chart_->setBackgroundRoundness(0);
  chart_view_ = new QChartView(chart_);
  chart_view_->setMinimumHeight(140);
  auto* weights = new QWidget;
  auto* wl = new QVBoxLayout(weights);
  wl->setContentsMargins(0, 0, 0, 0);
  wl->addWidget(weight_choice_);
  wl->addWidget(weight_text_);
  wl->addWidget(chart_view_, 1);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(tree_);
  split->addWidget(weights);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(split);
  clear();
}

int InspectorDock::weight_count() const { return static_cast<int>(weights_.size()); }

void InspectorDock::clear() {
  model_.reset();
  node_ = 0;
  tree_->clear();
  weights_.clear();
  weight_choice_->clear();
  weight_choice_->hide();
  weight_text_->setText(tr("Select a node in the graph to inspect it."));
  chart_->removeAllSeries();
  for (QAbstractAxis* a : chart_->axes()) chart_->removeAxis(a);
  chart_view_->hide();
  stats_ = {};
}

void InspectorDock::show_node(std::shared_ptr<const Model> model, std::shared_ptr<const Model> original, NodeId id) {
  clear();
  if (!model) return;
  const Node* n = find_node_anywhere(*model->graph, id);
  if (!n) {
    weight_text_->setText(tr("Node #%1 is not in this model.").arg(id));
    return;
  }
  model_ = std::move(model);
  node_ = id;
  QTreeWidgetItem* s = section(tree_, tr("Node"));
  row(s, tr("op"), QString::fromStdString(n->is_onnx_domain() ? n->op_type : n->domain + "::" + n->op_type));
  row(s, tr("name"), QString::fromStdString(n->name));
  row(s, tr("id"), QString::number(n->id()));
  row(s, tr("category"), QString::fromUtf8(op_category_name(op_category(n->domain, n->op_type))));
  if (n->graph() != model_->graph.get()) row(s, tr("in"), tr("a subgraph body"));

  s = section(tree_, tr("Attributes (%1)").arg(n->attrs().size()));
  for (const Attribute& a : n->attrs())
    row(s, QString::fromStdString(a.name), QString::fromStdString(attribute_text(a)));

  s = section(tree_, tr("Inputs (%1)").arg(n->num_inputs()));
  for (size_t i = 0; i < n->num_inputs(); ++i) {
    const Value* v = n->input(i);
    row(s, v ? QString::fromStdString(v->name()) : QStringLiteral("#%1").arg(i), value_text(v));
    if (const Tensor* t = v ? passes::constant_of(v) : nullptr) {
      weights_.push_back(v->initializer() ? v->initializer() : std::make_shared<const Tensor>(*t));
      weight_choice_->addItem(QString::fromStdString(v->name()));
    }
  }
  s = section(tree_, tr("Outputs (%1)").arg(n->num_outputs()));
  for (const Value* v : n->outputs()) {
    const size_t uses = v ? v->uses().size() : 0;
    row(s, v ? QString::fromStdString(v->name()) : tr("(omitted)"),
        value_text(v) + (v ? tr("  read by %n node(s)", nullptr, static_cast<int>(uses)) : QString()));
  }

  s = section(tree_, tr("Provenance (%1 original nodes)").arg(n->provenance.size()));
  for (NodeId p : n->provenance) {
    const Node* o = original ? find_node_anywhere(*original->graph, p) : nullptr;
    row(s, QStringLiteral("#%1").arg(p),
        o ? QStringLiteral("%1  %2").arg(QString::fromStdString(o->op_type), QString::fromStdString(o->name))
          : tr("(not in the loaded model)"));
  }
  if (!n->doc_string.empty()) row(section(tree_, tr("Documentation")), {}, QString::fromStdString(n->doc_string));
  if (const QString figures = figures_ ? figures_(model_.get(), id) : QString(); !figures.isEmpty()) {
    s = section(tree_, tr("Profile"));
    for (const QString& line : figures.split(QLatin1Char('\n'))) row(s, line.section(QLatin1Char('\t'), 0, 0), line.section(QLatin1Char('\t'), 1));
  }

  if (weights_.empty()) {
    weight_text_->setText(tr("This node reads no weights."));
    return;
  }
  weight_choice_->setVisible(weights_.size() > 1);
  show_weight(0);
}

void InspectorDock::show_weight(int index) {
  if (index < 0 || index >= static_cast<int>(weights_.size())) return;
  const Tensor& t = *weights_[static_cast<size_t>(index)];
  // About √n bins (8 to 40): a 16-value bias gets a readable histogram, not 40 mostly empty bars.
  const int64_t n = std::max<int64_t>(t.numel(), 1);
  stats_ = weight_stats(t, static_cast<int>(std::clamp<int64_t>(static_cast<int64_t>(std::sqrt(static_cast<double>(n))), 8, 40)));
  chart_->removeAllSeries();
  for (QAbstractAxis* a : chart_->axes()) chart_->removeAxis(a);
  if (!stats_.numeric) {
    weight_text_->setText(tr("%1: no numeric data").arg(QString::fromStdString(t.name)));
    chart_view_->hide();
    return;
  }
  QString dims;
  for (size_t i = 0; i < t.dims.size(); ++i) dims += (i ? QStringLiteral("×") : QString()) + QString::number(t.dims[i]);
  weight_text_->setText(
      tr("<b>%1</b> %2 ⟨%3⟩, %4 values%5<br>min %6 · max %7 · mean %8 · std %9 · sparsity %10%")
          .arg(weight_choice_->itemText(index).toHtmlEscaped())
          .arg(QString::fromUtf8(dtype_short_name(t.dtype).data(), static_cast<qsizetype>(dtype_short_name(t.dtype).size())))
          .arg(dims)
          .arg(stats_.count)
          .arg(stats_.sampled < stats_.count ? tr(" (statistics from %1 sampled)").arg(stats_.sampled) : QString())
          .arg(stats_.min, 0, 'g', 4)
          .arg(stats_.max, 0, 'g', 4)
          .arg(stats_.mean, 0, 'g', 4)
          .arg(stats_.std, 0, 'g', 4)
          .arg(stats_.sparsity * 100, 0, 'f', 1));
  auto* set = new QBarSet(tr("count"));
  set->setColor(QColor(0x3d, 0x6f, 0xb6));
  set->setBorderColor(QColor(0x3d, 0x6f, 0xb6));
  int64_t top = 0;
  QStringList labels;
  for (size_t b = 0; b < stats_.bins.size(); ++b) {
    *set << static_cast<double>(stats_.bins[b]);
    top = std::max(top, stats_.bins[b]);
    labels << QString();
  }
  auto* series = new QBarSeries;
  series->setBarWidth(1.0);
  series->append(set);
  chart_->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(labels);
  x->setGridLineVisible(false);
  x->setLabelsVisible(false);
  auto* y = new QValueAxis;
  y->setRange(0, static_cast<double>(std::max<int64_t>(top, 1)));
  y->setLabelFormat(QStringLiteral("%d"));
  // Whole-number ticks: counts are integers, and a small top would otherwise repeat labels.
  y->setTickType(QValueAxis::TicksDynamic);
  y->setTickAnchor(0);
  y->setTickInterval(std::max(1.0, std::ceil(static_cast<double>(top) / 4)));
  chart_->addAxis(x, Qt::AlignBottom);
  chart_->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  chart_view_->show();
}

}  // namespace kiln
