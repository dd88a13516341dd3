#pragma once
// The Inspector: everything about the selected node. Its op, name and category; attributes;
// inputs and outputs with dtypes and shapes; provenance (the original nodes it came from, looked
// up in the model as loaded); and for its weights min, max, mean, std, sparsity and a histogram.
#include <QString>
#include <QWidget>
#include <functional>
#include <memory>

#include "core/ir/model.h"
#include "views/inspector/weight_stats.h"

class QChartView;
class QChart;
class QComboBox;
class QLabel;
class QTreeWidget;

namespace kiln {

class InspectorDock : public QWidget {
  Q_OBJECT
 public:
  explicit InspectorDock(QWidget* parent = nullptr);

  // `model` holds the node; `original` is the model as loaded, for provenance.
  void show_node(std::shared_ptr<const Model> model, std::shared_ptr<const Model> original, NodeId id);
  void clear();
  // Where the node's profiled figures come from: lines of "what\tfigure" (latency, error), ""
  // when the model shown was not profiled. Set by the window that owns the Profile panel.
  void set_profile_figures(std::function<QString(const Model*, NodeId)> figures) { figures_ = std::move(figures); }
  NodeId node() const { return node_; }
  const QTreeWidget* tree() const { return tree_; }
  // The statistics of the weight shown (numeric == false when none).
  const WeightStats& weight() const { return stats_; }
  int weight_count() const;

 private:
  void show_weight(int index);

  std::shared_ptr<const Model> model_;
  std::function<QString(const Model*, NodeId)> figures_;
  NodeId node_ = 0;
  std::vector<std::shared_ptr<const Tensor>> weights_;
  WeightStats stats_;
  QTreeWidget* tree_;
  QComboBox* weight_choice_;
  QLabel* weight_text_;
  QChart* chart_;
  QChartView* chart_view_;
};

}  // namespace kiln
