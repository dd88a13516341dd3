#include "views/graph/layout_job.h"

#include <QElapsedTimer>
#include <QThread>
#include <algorithm>

namespace kiln {

struct LayoutJob::Run {
  std::atomic<bool> cancel{false};
  std::shared_ptr<const ViewGraph> result;
  qint64 millis = 0;
};

LayoutJob::LayoutJob(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<const kiln::ViewGraph>>();
}

LayoutJob::~LayoutJob() {
  if (current_) current_->cancel = true;
  for (QThread* t : threads_) {
    t->wait();
    delete t;
  }
}

void LayoutJob::start(std::shared_ptr<const Model> model, ViewOptions options) {
  if (current_) current_->cancel = true;
  auto run = std::make_shared<Run>();
  current_ = run;
  running_ = true;
  QThread* thread = QThread::create([this, run, model, options = std::move(options)] {
    QElapsedTimer timer;
    timer.start();
    int last = -1;
    ViewGraph vg = lay_out_view(*model->graph, options, [&](int percent) {
      if (percent != last) {
        last = percent;
        QMetaObject::invokeMethod(this, [this, run, percent] {
          if (run == current_) emit progress(percent);
        }, Qt::QueuedConnection);
      }
      return !run->cancel.load();
    });
    run->millis = timer.elapsed();
    if (!vg.layout.cancelled && !run->cancel) run->result = std::make_shared<const ViewGraph>(std::move(vg));
  });
  threads_.push_back(thread);
  connect(thread, &QThread::finished, this, [this, thread, run] {
    threads_.erase(std::remove(threads_.begin(), threads_.end(), thread), threads_.end());
    thread->deleteLater();
    if (run != current_) return;  // superseded: a newer job reports instead
    running_ = false;
    current_.reset();
    if (run->result)
      emit finished(run->result, run->millis);
    else
      emit cancelled();
  });
  thread->start();
}

void LayoutJob::cancel() {
  if (current_) current_->cancel = true;
}

}  // namespace kiln
