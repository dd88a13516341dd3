#pragma once
// The open model and everything done to it. The document owns the model as loaded, the recipe
// (an applied prefix and the pending steps after it), one immutable snapshot per applied step
// (snapshots share weight buffers, so each costs kilobytes) with the step's report and change log,
// and the QUndoStack every user edit goes through. Loading and passes run on a worker thread
// with progress and cancel; only the results touch the document, on the GUI thread. Every change
// is autosaved to the session file.
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <vector>

#include "core/ir/model.h"
#include "passes/framework/pass_manager.h"
#include "passes/framework/recipe.h"
#include "views/session_store.h"

class QThread;
class QUndoStack;

namespace kiln {

struct AppliedStep {
  passes::RecipeStep step;
  passes::StepReport report;
  std::shared_ptr<const Model> after;
};

class Document : public QObject {
  Q_OBJECT
 public:
  explicit Document(QObject* parent = nullptr);
  ~Document() override;

  // Loads in the background; opened() or failed() follows. The recipe is kept (all its steps
  // become pending), so one recipe can be tried on several models.
  void open(const QString& path);
  bool is_open() const { return static_cast<bool>(original_); }
  const QString& path() const { return path_; }
  bool busy() const { return busy_; }

  // 0: as loaded; k: after the first k steps.
  std::shared_ptr<const Model> snapshot(int position) const;
  std::shared_ptr<const Model> current() const { return snapshot(position()); }
  int position() const { return static_cast<int>(applied_.size()); }
  const std::vector<AppliedStep>& applied() const { return applied_; }
  const std::vector<passes::RecipeStep>& steps() const { return steps_; }
  int pending_count() const { return static_cast<int>(steps_.size()) - position(); }
  passes::Recipe recipe() const;
  QUndoStack* undo_stack() const { return undo_; }

  // --- user edits: each is one undoable command; refused while a pass runs ---
  void add_step(passes::RecipeStep step);
  void remove_step(int index);                     // a pending step
  void set_step_options(int index, Json options);  // a pending step
  void load_recipe(const passes::Recipe& recipe);  // replaces the pending steps
  void undo();
  void redo();

  // --- running the recipe on the worker thread ---
  void apply_next() { apply_until(position() + 1); }
  void apply_all() { apply_until(static_cast<int>(steps_.size())); }
  void apply_until(int position);
  // Stops before the next step; a step already running finishes and its result is dropped.
  void cancel();

  // --- export ---
  bool save_model(const QString& path, QString* error = nullptr) const;
  bool save_recipe(const QString& path, QString* error = nullptr) const;
  bool save_report(const QString& path, QString* error = nullptr) const;

  // --- session ---
  void set_session_file(const QString& path) { session_file_ = path; }
  const QString& session_file() const { return session_file_; }
  // Opens the session's model, loads its recipe and applies its steps up to its position.
  void restore(const SessionState& state);
  void mark_clean_exit();

  // --- for the commands in views/commands/ only: each keeps the document consistent ---
  void insert_step_raw(int index, passes::RecipeStep step);
  passes::RecipeStep erase_step_raw(int index);
  void set_options_raw(int index, Json options);
  std::vector<passes::RecipeStep> replace_pending_raw(std::vector<passes::RecipeStep> steps);
  void push_applied_raw(AppliedStep step);
  AppliedStep pop_applied_raw();

 signals:
  void opened(const QString& path);
  void failed(const QString& message);
  void recipeChanged();
  void positionChanged(int position);  // the current model is another snapshot
  void busyChanged(bool busy);
  void progress(int done, int total, const QString& pass);
  void logMessage(const QString& text);

 private:
  struct Job;
  bool refuse_while_busy(const char* what);
  void set_busy(bool busy);
  void autosave();
  void step_finished(AppliedStep step, quint64 generation);

  QString path_;
  std::shared_ptr<const Model> original_;
  std::vector<passes::RecipeStep> steps_;
  std::vector<AppliedStep> applied_;
  QUndoStack* undo_;
  QString session_file_;
  bool busy_ = false;
  int restore_to_ = -1;  // a session restore applies up to here once the model is open
  quint64 generation_ = 0;
  std::shared_ptr<Job> job_;
  QThread* thread_ = nullptr;
};

}  // namespace kiln
