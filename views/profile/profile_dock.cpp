#include "views/profile/profile_dock.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>
#include <QtCharts/QAbstractBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include "views/document.h"
#include "views/profile/accuracy_table_model.h"
#include "views/profile/profile_charts.h"

namespace kiln {

ProfileDock::ProfileDock(Document* doc, QWidget* parent)
    : QWidget(parent), doc_(doc), job_(new ProfileJob(this)), accuracy_(new AccuracyTableModel(this)) {
  run_ = new QPushButton(tr("Run profile"));
  run_->setToolTip(tr("Profile the current model (and, with the step timeline, every applied step) in the background"));
  cancel_ = new QPushButton(tr("Cancel"));
  backend_ = new QComboBox;
  backend_->addItem(tr("CPU (optimized kernels)"), static_cast<int>(Backend::Cpu));
  backend_->addItem(tr("Reference kernels"), static_cast<int>(Backend::Ref));
  threads_ = new QSpinBox;
  threads_->setRange(1, std::max(1, QThread::idealThreadCount()));
  threads_->setValue(1);
  threads_->setPrefix(tr("threads: "));
  steps_ = new QCheckBox(tr("Step timeline"));
  steps_->setChecked(true);
  steps_->setToolTip(tr("Also profile the original and every applied step (one profile each)"));
  heat_mode_ = new QComboBox;
  heat_mode_->addItem(tr("Heat map: off"), static_cast<int>(HeatMode::Off));
  heat_mode_->addItem(tr("Heat map: latency"), static_cast<int>(HeatMode::Latency));
  heat_mode_->addItem(tr("Heat map: error"), static_cast<int>(HeatMode::Error));
  heat_mode_->setToolTip(tr("Colour the graph's nodes by their profiled time or output error"));
  progress_ = new QProgressBar;
  progress_->setTextVisible(true);
  progress_->hide();
  summary_ = new QLabel(tr("Run a profile to see latency, throughput, memory and accuracy."));
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  stale_ = new QLabel(tr("<b>Stale:</b> these figures are for another snapshot than the one now current; run the "
                         "profile again."));
  stale_->setWordWrap(true);
  stale_->setStyleSheet(QStringLiteral("color: #a15c00"));
  stale_->hide();

  tabs_ = new QTabWidget;
  tabs_->setDocumentMode(true);
  const QString names[ChartCount] = {tr("Op types"), tr("Top nodes"), tr("Distribution"), tr("Batch"), tr("Memory"),
                                     tr("Steps")};
  for (int i = 0; i < ChartCount; ++i) {
    views_[i] = new QChartView(new QChart);
    views_[i]->setRenderHint(QPainter::Antialiasing);
    views_[i]->setMinimumHeight(200);
  }
  for (int i = 0; i < Steps; ++i) tabs_->addTab(views_[i], names[i]);
  accuracy_view_ = new QTableView;
  accuracy_view_->setModel(accuracy_);
  accuracy_view_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  accuracy_view_->verticalHeader()->hide();
  tabs_->addTab(accuracy_view_, tr("Accuracy"));
  tabs_->addTab(views_[Steps], names[Steps]);

  auto* row1 = new QHBoxLayout;
  row1->addWidget(run_);
  row1->addWidget(cancel_);
  row1->addWidget(backend_, 1);
  row1->addWidget(threads_);
  auto* row2 = new QHBoxLayout;
  row2->addWidget(steps_);
  row2->addWidget(heat_mode_, 1);
  row2->addWidget(progress_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(row1);
  layout->addLayout(row2);
  layout->addWidget(summary_);
  layout->addWidget(stale_);
  layout->addWidget(tabs_, 1);

  // The last run's choices, as the user left them.
  QSettings settings;
  ProfileSettings remembered;
  remembered.backend = static_cast<Backend>(settings.value(QStringLiteral("profile/backend"), static_cast<int>(Backend::Cpu)).toInt());
  remembered.threads = settings.value(QStringLiteral("profile/threads"), 1).toInt();
  remembered.step_timeline = settings.value(QStringLiteral("profile/step_timeline"), true).toBool();
  set_settings(remembered);

  connect(run_, &QPushButton::clicked, this, &ProfileDock::run);
  connect(cancel_, &QPushButton::clicked, this, &ProfileDock::cancel);
  connect(heat_mode_, &QComboBox::currentIndexChanged, this, &ProfileDock::update_heat);
  connect(job_, &ProfileJob::progress, this, [this](int done, int total, const QString& phase) {
    progress_->setRange(0, total);
    progress_->setValue(done);
    progress_->setFormat(phase.isEmpty() ? tr("%v of %m") : tr("%v of %m: %1").arg(phase));
  });
  connect(job_, &ProfileJob::finished, this, &ProfileDock::show_result);
  connect(job_, &ProfileJob::failed, this, [this](const QString& message) {
    summary_->setText(tr("The profile failed: %1").arg(message));
    update_controls();
  });
  connect(job_, &ProfileJob::cancelled, this, [this] {
    summary_->setText(tr("Cancelled.") + (result_ ? tr(" The charts still show the previous profile.") : QString()));
    update_controls();
  });
  connect(doc_, &Document::opened, this, [this] {
    // Another model: the figures and ids of the last one mean nothing here.
    job_->cancel();
    show_result(nullptr);
  });
  connect(doc_, &Document::positionChanged, this, &ProfileDock::update_controls);
  update_controls();
}

bool ProfileDock::running() const { return job_->running(); }

void ProfileDock::run() {
  if (!doc_->is_open() || job_->running()) return;
  ProfileInput input;
  input.original = doc_->snapshot(0);
  for (const AppliedStep& s : doc_->applied()) input.steps.push_back({s.step.pass, s.report.changed, s.after});
  progress_->setRange(0, 0);
  progress_->setFormat(tr("starting"));
  const ProfileSettings s = settings();
  QSettings remembered;
  remembered.setValue(QStringLiteral("profile/backend"), static_cast<int>(s.backend));
  remembered.setValue(QStringLiteral("profile/threads"), s.threads);
  remembered.setValue(QStringLiteral("profile/step_timeline"), s.step_timeline);
  job_->start(std::move(input), s);
  summary_->setText(tr("Profiling…"));
  update_controls();
}

void ProfileDock::cancel() { job_->cancel(); }

ProfileSettings ProfileDock::settings() const {
  ProfileSettings s;
  s.backend = static_cast<Backend>(backend_->currentData().toInt());
  s.threads = threads_->value();
  s.step_timeline = steps_->isChecked();
  return s;
}

void ProfileDock::set_settings(const ProfileSettings& s) {
  backend_->setCurrentIndex(std::max(0, backend_->findData(static_cast<int>(s.backend))));
  threads_->setValue(s.threads);
  steps_->setChecked(s.step_timeline);
}

void ProfileDock::set_heat_mode(HeatMode mode) { heat_mode_->setCurrentIndex(heat_mode_->findData(static_cast<int>(mode))); }

HeatMode ProfileDock::heat_mode() const { return static_cast<HeatMode>(heat_mode_->currentData().toInt()); }

void ProfileDock::show_tab(int tab) { tabs_->setCurrentIndex(tab); }

QChart* ProfileDock::chart(Chart which) const { return views_[which]->chart(); }

void ProfileDock::set_chart(Chart which, QChart* chart) {
  QChart* old = views_[which]->chart();
  views_[which]->setChart(chart);  // the view does not delete the chart it had
  delete old;
}

void ProfileDock::update_controls() {
  const bool busy = job_->running();
  run_->setEnabled(doc_->is_open() && !busy);
  cancel_->setEnabled(busy);
  backend_->setEnabled(!busy);
  threads_->setEnabled(!busy);
  steps_->setEnabled(!busy);
  progress_->setVisible(busy);
  stale_->setVisible(!busy && result_ && doc_->current() != result_->model);
}

void ProfileDock::show_result(std::shared_ptr<const ProfileResult> result) {
  result_ = std::move(result);
  static const profile::Report kEmpty;
  const profile::Report& r = result_ ? result_->report : kEmpty;
  set_chart(OpTypes, profile_charts::op_types(r, kMaxOpTypeBars));
  set_chart(TopNodes, profile_charts::top_nodes(r, kTopNodes, &top_ids_));
  set_chart(Distribution, profile_charts::distribution(r, kHistogramBins));
  set_chart(Batch, profile_charts::batch_sweep(r));
  set_chart(Memory, profile_charts::memory(r));
  set_chart(Steps, profile_charts::step_timeline(result_ && result_->history ? *result_->history : profile::StepHistory{}));
  accuracy_->set_report(result_ ? &result_->report : nullptr);
  if (auto* bars = qobject_cast<QAbstractBarSeries*>(chart(TopNodes)->series().value(0)); bars && !bars->barSets().isEmpty())
    connect(bars->barSets().first(), &QBarSet::clicked, this, [this](int index) {
      if (index >= 0 && index < static_cast<int>(top_ids_.size())) emit nodeActivated(top_ids_[static_cast<size_t>(index)]);
    });

  if (!result_) {
    summary_->setText(tr("Run a profile to see latency, throughput, memory and accuracy."));
  } else {
    const profile::SummaryCard& c = r.card;
    QStringList parts;
    if (c.p50_ms)
      parts << tr("<b>latency</b> p50 %1 ms, p90 %2 ms, spread %3 ms")
                   .arg(*c.p50_ms, 0, 'f', 3)
                   .arg(c.p90_ms.value_or(0), 0, 'f', 3)
                   .arg(c.spread_ms.value_or(0), 0, 'f', 3);
    if (c.best_batch && c.inferences_per_s)
      parts << tr("<b>throughput</b> %1 inferences/s at batch %2").arg(*c.inferences_per_s, 0, 'f', 1).arg(*c.best_batch);
    parts << tr("<b>memory</b> weights %1, activations %2")
                 .arg(profile_charts::format_bytes(static_cast<double>(c.weights_bytes.value_or(0))),
                      c.peak_activation_bytes ? profile_charts::format_bytes(static_cast<double>(*c.peak_activation_bytes))
                                              : tr("dynamic"));
    parts << (c.accuracy_measured
                  ? tr("<b>accuracy</b> max abs error %1, min cosine %2").arg(c.max_abs_error.value_or(0), 0, 'g', 3).arg(c.min_cosine.value_or(1), 0, 'f', 6)
                  : tr("<b>accuracy</b> — (the model as loaded is the reference)"));
    summary_->setText(parts.join(QStringLiteral(" · ")) +
                      tr(" <span style='color:gray'>(%1, %2 thread(s), %3 s)</span>")
                          .arg(QString::fromStdString(r.backend))
                          .arg(r.threads)
                          .arg(result_->seconds, 0, 'f', 1));
  }
  update_controls();
  update_heat();
  if (result_) emit profiled();
}

void ProfileDock::update_heat() {
  heat_ = result_ ? heat_values(result_->report, heat_mode()) : std::unordered_map<NodeId, float>{};
  emit heatChanged();
}

QString ProfileDock::node_figures(const Model* model, NodeId id) const {
  if (!result_ || model != result_->model.get()) return {};
  QStringList parts;
  const Json& s = result_->report.sections;
  if (const Json* lat = s.find("latency"); lat && lat->find("per_node"))
    if (const Json* nodes = lat->find("per_node")->find("nodes"); nodes && nodes->is_array())
      for (const Json& n : nodes->as_array())
        if (static_cast<NodeId>(n.find("id")->as_int()) == id) {
          parts << tr("latency\t%1 ms median (mean %2 ms)").arg(n.find("p50_ms")->as_double(), 0, 'f', 4)
                       .arg(n.find("mean_ms")->as_double(), 0, 'f', 4);
          break;
        }
  if (const Json* acc = s.find("accuracy"); acc && acc->find("per_node"))
    if (const Json* nodes = acc->find("per_node")->find("nodes"); nodes && nodes->is_array())
      for (const Json& n : nodes->as_array())
        if (static_cast<NodeId>(n.find("node_id")->as_int()) == id) {
          const Json* e = n.find("max_abs_error");
          parts << tr("error of %1\tmax abs %2 (matched by %3)")
                       .arg(QString::fromStdString(n.find("value")->as_string()),
                            e && e->is_number() ? QString::number(e->as_double(), 'g', 3) : QStringLiteral("0"),
                            QString::fromStdString(n.find("matched_by")->as_string()));
        }
  return parts.join(QLatin1Char('\n'));
}

}  // namespace kiln
