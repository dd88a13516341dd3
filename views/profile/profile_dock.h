#pragma once
// The Profile panel: runs the profiler on the document's current snapshot (and, for the step
// timeline, on every applied step) in the background with progress and cancel, and charts the
// result: time per op type, the slowest nodes, the latency distribution, the batch sweep, memory,
// accuracy deltas per output, and how each step moved latency, memory and error. It also offers
// the per-node heat map (latency or error) the main window paints on the graph.
#include <QWidget>
#include <memory>
#include <unordered_map>
#include <vector>

#include "views/profile/heat_map.h"
#include "views/profile/profile_job.h"

class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace kiln {

class AccuracyTableModel;
class Document;

class ProfileDock : public QWidget {
  Q_OBJECT
 public:
  enum Chart { OpTypes, TopNodes, Distribution, Batch, Memory, Steps, ChartCount };
  static constexpr int kTopNodes = 15;
  static constexpr int kMaxOpTypeBars = 20;
  static constexpr int kHistogramBins = 16;

  explicit ProfileDock(Document* doc, QWidget* parent = nullptr);

  void run();
  void cancel();
  bool running() const;
  ProfileJob* job() const { return job_; }
  const std::shared_ptr<const ProfileResult>& result() const { return result_; }
  // The snapshot the figures are for (node ids of the heat map and the top nodes are its own).
  std::shared_ptr<const Model> profiled_model() const { return result_ ? result_->model : nullptr; }

  void set_settings(const ProfileSettings& settings);
  ProfileSettings settings() const;
  void set_heat_mode(HeatMode mode);
  HeatMode heat_mode() const;
  // Empty with the heat map off or nothing profiled.
  const std::unordered_map<NodeId, float>& heat() const { return heat_; }
  // 0 op types, 1 top nodes, 2 distribution, 3 batch, 4 memory, 5 accuracy, 6 steps.
  void show_tab(int tab);

  QChart* chart(Chart which) const;
  const std::vector<NodeId>& top_node_ids() const { return top_ids_; }
  AccuracyTableModel* accuracy_model() const { return accuracy_; }
  // The profiled figures of one node of `model` (for the Inspector): lines of "what\tfigure";
  // empty when that snapshot was not profiled.
  QString node_figures(const Model* model, NodeId id) const;

 signals:
  void nodeActivated(quint64 node);  // a bar of the slowest-nodes chart was clicked
  void heatChanged();
  void profiled();  // a result arrived and the charts show it

 private:
  void show_result(std::shared_ptr<const ProfileResult> result);
  void set_chart(Chart which, QChart* chart);
  void update_controls();
  void update_heat();

  Document* doc_;
  ProfileJob* job_;
  std::shared_ptr<const ProfileResult> result_;
  std::unordered_map<NodeId, float> heat_;
  std::vector<NodeId> top_ids_;
  QPushButton* run_;
  QPushButton* cancel_;
  QComboBox* backend_;
  QSpinBox* threads_;
  QCheckBox* steps_;
  QComboBox* heat_mode_;
  QProgressBar* progress_;
  QLabel* summary_;
  QLabel* stale_;
  QTabWidget* tabs_;
  QChartView* views_[ChartCount];
  AccuracyTableModel* accuracy_;
  QTableView* accuracy_view_;
};

}  // namespace kiln
