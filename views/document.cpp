#include "views/document.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSaveFile>
#include <QThread>
#include <QUndoStack>

#include "core/analysis/shape_inference.h"
#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "views/commands/add_recipe_step_command.h"
#include "views/commands/apply_pass_command.h"
#include "views/commands/load_recipe_command.h"
#include "views/commands/remove_recipe_step_command.h"
#include "views/commands/set_step_options_command.h"

namespace kiln {

struct Document::Job {
  std::atomic<bool> cancel{false};
};

namespace {

bool write_text(const QString& path, const std::string& text, QString* error) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = QStringLiteral("%1: %2").arg(path, f.errorString());
    return false;
  }
  f.write(text.data(), static_cast<qint64>(text.size()));
  if (!f.commit()) {
    if (error) *error = QStringLiteral("%1: %2").arg(path, f.errorString());
    return false;
  }
  return true;
}

}  // namespace

Document::Document(QObject* parent)
    : QObject(parent), undo_(new QUndoStack(this)), session_file_(SessionStore::default_path()) {}

Document::~Document() {
  if (job_) job_->cancel = true;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
}

std::shared_ptr<const Model> Document::snapshot(int position) const {
  if (position <= 0 || applied_.empty()) return original_;
  return applied_[static_cast<size_t>(std::min(position, static_cast<int>(applied_.size())) - 1)].after;
}

passes::Recipe Document::recipe() const {
  passes::Recipe r;
  r.name = path_.isEmpty() ? std::string("workbench") : QFileInfo(path_).completeBaseName().toStdString();
  r.steps = steps_;
  return r;
}

bool Document::refuse_while_busy(const char* what) {
  if (!busy_) return false;
  emit logMessage(tr("Cannot %1 while a pass or a load is running; cancel it or wait.").arg(QString::fromUtf8(what)));
  return true;
}

void Document::set_busy(bool busy) {
  if (busy_ == busy) return;
  busy_ = busy;
  emit busyChanged(busy);
}

void Document::open(const QString& path) {
  if (refuse_while_busy("open a model")) {
    emit failed(tr("Cannot open %1 while another operation is running").arg(path));
    return;
  }
  set_busy(true);
  emit logMessage(tr("Opening %1").arg(path));
  auto job = std::make_shared<Job>();
  job_ = job;
  struct Loaded {
    std::shared_ptr<const Model> model;
    QString error;
    qint64 ms = 0;
  };
  auto loaded = std::make_shared<Loaded>();
  const std::string p = path.toStdString();
  thread_ = QThread::create([loaded, p] {
    QElapsedTimer t;
    t.start();
    try {
      auto m = std::make_shared<Model>(load_model(p));
      infer_shapes(*m);
      loaded->model = std::move(m);
    } catch (const std::exception& e) {
      loaded->error = QString::fromStdString(e.what());
    }
    loaded->ms = t.elapsed();
  });
  QThread* thread = thread_;
  connect(thread, &QThread::finished, this, [this, thread, loaded, path] {
    thread->deleteLater();
    thread_ = nullptr;
    job_.reset();
    set_busy(false);
    if (!loaded->model) {
      restore_to_ = -1;
      emit logMessage(tr("Could not open %1: %2").arg(path, loaded->error));
      emit failed(loaded->error);
      return;
    }
    ++generation_;
    original_ = loaded->model;
    path_ = path;
    applied_.clear();
    undo_->clear();
    emit logMessage(tr("Opened %1: %2 nodes in %3 ms").arg(path).arg(original_->graph->total_node_count()).arg(loaded->ms));
    emit opened(path);
    emit recipeChanged();
    emit positionChanged(0);
    autosave();
    if (restore_to_ > 0) apply_until(restore_to_);
    restore_to_ = -1;
  });
  thread_->start();
}

void Document::add_step(passes::RecipeStep step) {
  if (refuse_while_busy("change the recipe")) return;
  undo_->push(new AddRecipeStepCommand(this, static_cast<int>(steps_.size()), std::move(step)));
}

void Document::remove_step(int index) {
  if (refuse_while_busy("change the recipe")) return;
  if (index < position() || index >= static_cast<int>(steps_.size())) {
    emit logMessage(tr("Only pending steps can be removed; undo an applied step first."));
    return;
  }
  undo_->push(new RemoveRecipeStepCommand(this, index));
}

void Document::set_step_options(int index, Json options) {
  if (refuse_while_busy("change the recipe")) return;
  if (index < position() || index >= static_cast<int>(steps_.size())) {
    emit logMessage(tr("Only pending steps can be changed; undo an applied step first."));
    return;
  }
  undo_->push(new SetStepOptionsCommand(this, index, std::move(options)));
}

void Document::load_recipe(const passes::Recipe& recipe) {
  if (refuse_while_busy("load a recipe")) return;
  undo_->push(new LoadRecipeCommand(this, recipe));
}

void Document::undo() {
  if (!refuse_while_busy("undo")) undo_->undo();
}

void Document::redo() {
  if (!refuse_while_busy("redo")) undo_->redo();
}

void Document::insert_step_raw(int index, passes::RecipeStep step) {
  steps_.insert(steps_.begin() + index, std::move(step));
  emit recipeChanged();
  autosave();
}

passes::RecipeStep Document::erase_step_raw(int index) {
  passes::RecipeStep s = std::move(steps_[static_cast<size_t>(index)]);
  steps_.erase(steps_.begin() + index);
  emit recipeChanged();
  autosave();
  return s;
}

void Document::set_options_raw(int index, Json options) {
  steps_[static_cast<size_t>(index)].options = std::move(options);
  emit recipeChanged();
  autosave();
}

std::vector<passes::RecipeStep> Document::replace_pending_raw(std::vector<passes::RecipeStep> steps) {
  std::vector<passes::RecipeStep> old(steps_.begin() + position(), steps_.end());
  steps_.resize(static_cast<size_t>(position()));
  for (auto& s : steps) steps_.push_back(std::move(s));
  emit recipeChanged();
  autosave();
  return old;
}

void Document::push_applied_raw(AppliedStep step) {
  applied_.push_back(std::move(step));
  emit recipeChanged();
  emit positionChanged(position());
  autosave();
}

AppliedStep Document::pop_applied_raw() {
  AppliedStep s = std::move(applied_.back());
  applied_.pop_back();
  emit recipeChanged();
  emit positionChanged(position());
  autosave();
  return s;
}

void Document::apply_until(int target) {
  if (!original_ || refuse_while_busy("apply passes")) return;
  target = std::min(target, static_cast<int>(steps_.size()));
  const int first = position();
  if (target <= first) return;
  std::vector<passes::RecipeStep> todo(steps_.begin() + first, steps_.begin() + target);
  auto job = std::make_shared<Job>();
  job_ = job;
  const quint64 generation = ++generation_;
  set_busy(true);
  std::shared_ptr<const Model> from = current();
  thread_ = QThread::create([this, job, todo, from, generation, first] {
    std::shared_ptr<const Model> cur = from;
    const int total = static_cast<int>(todo.size());
    for (int i = 0; i < total && !job->cancel; ++i) {
      const passes::RecipeStep& step = todo[static_cast<size_t>(i)];
      const QString pass = QString::fromStdString(step.pass);
      QMetaObject::invokeMethod(this, [this, i, total, pass] { emit progress(i, total, pass); }, Qt::QueuedConnection);
      try {
        const passes::PassDef* def = passes::PassRegistry::global().find(step.pass);
        if (!def) throw std::runtime_error("unknown pass '" + step.pass + "'");
        const passes::Options options = def->info.parse_options(step.options);
        auto next = std::make_shared<Model>(cur->clone());
        passes::PassManager manager;
        passes::StepReport report = manager.apply(*next, *def, options, step.until_fixed_point);
        // The view shows shapes on edges: values a pass created have none until inferred.
        try {
          infer_shapes(*next);
        } catch (const std::exception&) {
          // A model shape inference cannot follow is still a valid result; edges go unlabelled.
        }
        if (job->cancel) break;
        cur = next;
        AppliedStep applied{step, std::move(report), std::move(next)};
        QMetaObject::invokeMethod(this, [this, applied, generation] { step_finished(applied, generation); },
                                  Qt::QueuedConnection);
      } catch (const std::exception& e) {
        const QString msg = tr("Step %1 (%2) failed: %3").arg(first + i + 1).arg(pass, QString::fromStdString(e.what()));
        QMetaObject::invokeMethod(this, [this, msg] {
          emit logMessage(msg);
          emit failed(msg);
        }, Qt::QueuedConnection);
        break;
      }
    }
  });
  QThread* thread = thread_;
  connect(thread, &QThread::finished, this, [this, thread, job] {
    thread->deleteLater();
    if (thread_ == thread) thread_ = nullptr;
    if (job_ == job) job_.reset();
    if (job->cancel) emit logMessage(tr("Cancelled; %1 steps applied").arg(position()));
    set_busy(false);
    emit progress(1, 1, QString());
  });
  thread_->start();
}

void Document::step_finished(AppliedStep step, quint64 generation) {
  if (generation != generation_) return;  // a newer model or run superseded this one
  const auto& r = step.report;
  QString stats;
  for (const auto& [name, v] : r.stats)
    if (v) stats += (stats.isEmpty() ? QString() : QStringLiteral(", ")) + QStringLiteral("%1=%2").arg(QString::fromStdString(name)).arg(v);
  emit logMessage(tr("Step %1 %2: %3 → %4 nodes in %5 ms%6")
                      .arg(position() + 1)
                      .arg(QString::fromStdString(r.pass))
                      .arg(r.nodes_before)
                      .arg(r.nodes_after)
                      .arg(r.ms, 0, 'f', 1)
                      .arg(r.changed ? (stats.isEmpty() ? QString() : QStringLiteral(" (") + stats + QStringLiteral(")"))
                                     : tr(" (no change)")));
  undo_->push(new ApplyPassCommand(this, std::move(step)));
}

void Document::cancel() {
  if (job_) job_->cancel = true;
}

bool Document::save_model(const QString& path, QString* error) const {
  if (!original_) {
    if (error) *error = tr("no model is open");
    return false;
  }
  try {
    kiln::save_model(*current(), path.toStdString());
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

bool Document::save_recipe(const QString& path, QString* error) const {
  return write_text(path, recipe().to_json().dump(2) + "\n", error);
}

bool Document::save_report(const QString& path, QString* error) const {
  Json j = Json::object();
  j["version"] = 1;
  j["model"] = path_.toStdString();
  j["recipe"] = recipe().to_json();
  j["nodes_before"] = original_ ? static_cast<int64_t>(original_->graph->total_node_count()) : 0;
  j["nodes_after"] = current() ? static_cast<int64_t>(current()->graph->total_node_count()) : 0;
  Json steps = Json::array();
  for (const AppliedStep& s : applied_) steps.push_back(s.report.to_json());
  j["steps"] = std::move(steps);
  return write_text(path, j.dump(2) + "\n", error);
}

void Document::restore(const SessionState& state) {
  try {
    const passes::Recipe r = passes::Recipe::parse(state.recipe.dump(-1), "saved session");
    steps_ = r.steps;
    applied_.clear();
    undo_->clear();
    emit recipeChanged();
  } catch (const std::exception& e) {
    emit logMessage(tr("The saved session's recipe could not be read: %1").arg(QString::fromStdString(e.what())));
  }
  restore_to_ = state.position;
  open(state.model_path);
}

void Document::autosave() {
  if (session_file_.isEmpty()) return;
  SessionState s;
  s.model_path = path_;
  s.recipe = recipe().to_json();
  s.position = position();
  s.clean_exit = false;
  QString error;
  if (!SessionStore::save(session_file_, s, &error)) emit logMessage(tr("Could not autosave the session: %1").arg(error));
}

void Document::mark_clean_exit() {
  if (session_file_.isEmpty()) return;
  SessionState s;
  s.model_path = path_;
  s.recipe = recipe().to_json();
  s.position = position();
  s.clean_exit = true;
  SessionStore::save(session_file_, s);
}

}  // namespace kiln
