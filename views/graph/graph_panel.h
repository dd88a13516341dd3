#pragma once
// The Graph panel: the canvas with its toolbar (fit, zoom, scope level, search with
// next/previous, export) and the layout running in the background with progress and cancel.
// It owns the view options (collapsed scopes, expanded bodies) and re-lays out when they change.
#include <QWidget>
#include <memory>
#include <unordered_map>

#include "core/ir/model.h"
#include "views/graph/graph_view.h"
#include "views/graph/layout_job.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QToolButton;

namespace kiln {

class GraphPanel : public QWidget {
  Q_OBJECT
 public:
  explicit GraphPanel(QWidget* parent = nullptr);

  // Shows a model snapshot (laid out in the background). keep_viewport keeps zoom and position,
  // as when stepping through a pipeline. The diff marks are applied once the layout is ready.
  void show_model(std::shared_ptr<const Model> model, bool keep_viewport,
                  std::unordered_map<NodeId, DiffMark> diff = {});
  const std::shared_ptr<const Model>& model() const { return model_; }
  GraphView* view() const { return view_; }
  bool layout_running() const { return job_->running(); }
  qint64 last_layout_ms() const { return last_layout_ms_; }

  // Collapses every scope at this depth (0: none collapsed).
  void collapse_to_depth(int depth);
  void set_scope_collapsed(const QString& scope, bool collapsed);
  void set_body_expanded(NodeId node, bool expanded);
  const ViewOptions& options() const { return options_; }

  bool export_image(const QString& path, bool whole_graph, QString* error = nullptr);

 signals:
  void nodeSelected(quint64 node);
  void layoutFinished();
  void message(const QString& text);

 private:
  void relayout(bool keep_viewport);
  void run_search();
  void update_depths();

  GraphView* view_;
  LayoutJob* job_;
  std::shared_ptr<const Model> model_;
  std::unordered_map<NodeId, DiffMark> diff_;
  ViewOptions options_;
  bool keep_viewport_ = false;
  qint64 last_layout_ms_ = 0;
  QComboBox* depth_;
  QLineEdit* search_;
  QCheckBox* regex_;
  QLabel* matches_;
  QProgressBar* progress_;
  QToolButton* cancel_;
};

}  // namespace kiln
