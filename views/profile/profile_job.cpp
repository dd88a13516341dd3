#include "views/profile/profile_job.h"

#include <QElapsedTimer>
#include <QThread>
#include <atomic>
#include <filesystem>

namespace kiln {

struct ProfileJob::Control {
  std::atomic<bool> cancel{false};
  // Written by the worker, read on the GUI thread once the worker has finished.
  std::shared_ptr<ProfileResult> result;
  QString error;
};

namespace {

// Thrown out of a step callback to leave profile_steps between two steps.
struct Cancelled {};

std::string label_of(const Model& m) {
  return m.source_path.empty() ? std::string("model") : std::filesystem::path(m.source_path).filename().string();
}

}  // namespace

ProfileJob::ProfileJob(QObject* parent) : QObject(parent) {}

ProfileJob::~ProfileJob() {
  if (control_) control_->cancel = true;
  // Workers are children of the job, deleted with it once they have stopped.
  if (thread_) thread_->wait();
}

profile::ProfileOptions ProfileJob::options_for(const ProfileSettings& s) {
  profile::ProfileOptions o;
  o.session.backend = s.backend;
  o.session.threads = std::max(1, s.threads);
  o.latency.warmup = 2;
  o.latency.min_iterations = 10;
  o.latency.max_iterations = 200;
  o.latency.max_seconds = 0.3;
  o.latency.per_node_iterations = 10;
  o.sweep.batches = {1, 2, 4, 8};
  o.sweep.latency.warmup = 1;
  o.sweep.latency.min_iterations = 3;
  o.sweep.latency.max_iterations = 30;
  o.sweep.latency.max_seconds = 0.1;
  o.sweep.latency.per_node = false;
  // Energy needs a second of steady running to read a counter; the panel does not chart it.
  o.energy = false;
  o.random_samples = 2;
  return o;
}

void ProfileJob::start(ProfileInput input, ProfileSettings settings) {
  if (thread_) {
    // Rare (the panel disables Run while a job runs): the old worker stops at its next check.
    // Its finished handler still runs (and deletes it), then drops its result as superseded.
    control_->cancel = true;
    thread_->wait();
    thread_ = nullptr;
  }
  auto control = std::make_shared<Control>();
  control_ = control;
  const quint64 generation = ++generation_;
  thread_ = QThread::create([this, control, input = std::move(input), settings] {
    QElapsedTimer timer;
    timer.start();
    const profile::ProfileOptions options = options_for(settings);
    const std::string label = label_of(*input.original);
    const bool by_step = settings.step_timeline && !input.steps.empty();
    const int total = by_step ? static_cast<int>(input.steps.size()) + 1 : 1;
    auto report_progress = [this, total](int done, QString phase) {
      QMetaObject::invokeMethod(this, [this, done, total, phase] { emit progress(done, total, phase); },
                                Qt::QueuedConnection);
    };
    auto result = std::make_shared<ProfileResult>();
    result->model = input.current();
    try {
      if (by_step) {
        // The document already holds every step's snapshot: a "step" here swaps in the next
        // snapshot instead of running its pass again.
        std::vector<profile::Step> steps;
        for (size_t i = 0; i < input.steps.size(); ++i) {
          const ProfileInput::StepSnapshot& s = input.steps[i];
          steps.push_back({s.name, [&, i, s](Model& m) {
                             if (control->cancel) throw Cancelled{};
                             report_progress(static_cast<int>(i) + 1, QString::fromStdString(s.name));
                             m = s.after->clone();
                             m.source_path.clear();  // sized as serialized, as profile_steps does
                             return s.changed;
                           }});
        }
        report_progress(0, QStringLiteral("original"));
        profile::StepHistory h = profile::profile_steps(*input.original, label, steps, options);
        result->report = h.reports.back();
        result->history = std::move(h);
      } else {
        report_progress(0, input.steps.empty() ? QStringLiteral("model") : QStringLiteral("current step"));
        const Model* reference = input.steps.empty() ? nullptr : input.original.get();
        result->report = profile::profile_model(*result->model, label, reference, label, options, reference);
      }
    } catch (const Cancelled&) {
      return;
    } catch (const std::exception& e) {
      control->error = QString::fromStdString(e.what());
      return;
    }
    if (control->cancel) return;
    result->seconds = static_cast<double>(timer.elapsed()) / 1000.0;
    report_progress(total, QString());
    control->result = std::move(result);
  });
  QThread* thread = thread_;
  thread->setParent(this);
  connect(thread, &QThread::finished, this, [this, thread, control, generation] {
    thread->deleteLater();
    if (thread_ == thread) thread_ = nullptr;
    if (generation != generation_) return;  // superseded by a newer run
    if (control->cancel) {
      emit cancelled();
    } else if (control->result) {
      emit finished(control->result);
    } else {
      emit failed(control->error.isEmpty() ? tr("the profile produced no result") : control->error);
    }
  });
  thread_->start();
}

void ProfileJob::cancel() {
  if (control_ && thread_) control_->cancel = true;
}

}  // namespace kiln
