#pragma once
// Builds and lays out a ViewGraph on a worker thread, with progress and cancel: a 50,000-node
// layout takes seconds, and the window must stay responsive meanwhile. Starting a new job
// supersedes the running one (its result is dropped).
#include <QObject>
#include <atomic>
#include <memory>
#include <vector>

#include "core/ir/model.h"
#include "views/graph/view_graph.h"

class QThread;

namespace kiln {

class LayoutJob : public QObject {
  Q_OBJECT
 public:
  explicit LayoutJob(QObject* parent = nullptr);
  ~LayoutJob() override;

  // The model must not change while the job runs: the document hands out immutable snapshots.
  void start(std::shared_ptr<const Model> model, ViewOptions options);
  void cancel();
  bool running() const { return running_; }

 signals:
  void progress(int percent);
  void finished(std::shared_ptr<const kiln::ViewGraph> graph, qint64 millis);
  void cancelled();

 private:
  struct Run;
  std::shared_ptr<Run> current_;
  std::vector<QThread*> threads_;
  bool running_ = false;
};

}  // namespace kiln
