#pragma once
// Profiling the document off the GUI thread. A job profiles the current snapshot (against the
// model as loaded when steps were applied, for accuracy deltas) and, when asked, every applied
// step in turn for the step timeline; progress is reported per phase and a cancel is honoured
// between phases. Only the finished result crosses back to the GUI thread, and a result that a
// cancel or a newer run superseded is dropped there.
#include <QObject>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "core/ir/model.h"
#include "core/profile/profiler.h"
#include "core/profile/report.h"
#include "core/profile/step_history.h"

class QThread;

namespace kiln {

struct ProfileSettings {
  Backend backend = Backend::Cpu;
  int threads = 1;
  bool step_timeline = true;  // profile every applied step too (one profile per step)
};

// What the job needs from the document, captured at the start so the document may move on.
struct ProfileInput {
  std::shared_ptr<const Model> original;  // as loaded
  struct StepSnapshot {
    std::string name;
    bool changed = false;
    std::shared_ptr<const Model> after;
  };
  std::vector<StepSnapshot> steps;  // the applied steps; the last one's model is the current one
  std::shared_ptr<const Model> current() const { return steps.empty() ? original : steps.back().after; }
};

struct ProfileResult {
  std::shared_ptr<const Model> model;  // the snapshot profiled: node ids in the report are its own
  profile::Report report;
  std::optional<profile::StepHistory> history;  // with the step timeline and at least one step
  double seconds = 0;
};

class ProfileJob : public QObject {
  Q_OBJECT
 public:
  explicit ProfileJob(QObject* parent = nullptr);
  ~ProfileJob() override;  // cancels and waits for the worker

  // A run in progress is cancelled (its result dropped) and this one starts.
  void start(ProfileInput input, ProfileSettings settings);
  void cancel();
  bool running() const { return thread_ != nullptr; }

  // The profiler options the GUI uses: budgets of a fraction of a second per measurement, so a
  // profile of a small model takes a few seconds and the panel feels live.
  static profile::ProfileOptions options_for(const ProfileSettings& settings);

 signals:
  void progress(int done, int total, const QString& phase);
  void finished(std::shared_ptr<const kiln::ProfileResult> result);
  void failed(const QString& message);
  void cancelled();

 private:
  struct Control;
  std::shared_ptr<Control> control_;
  QThread* thread_ = nullptr;
  quint64 generation_ = 0;
};

}  // namespace kiln
