// The Profile panel under the offscreen platform: a profile of a bundled sample after two
// applied steps, run through the dock's background job, gives charts with one bar or point per
// figure of the report, a heat value for every profiled node, and the step timeline; a cancelled
// job delivers nothing and does not crash; the main window hosts the dock and paints the heat
// map on the profiled snapshot. The accuracy table passes QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtCharts/QAbstractBarSeries>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QXYSeries>
#include <QtTest>
#include <set>

#include "views/document.h"
#include "views/graph/graph_panel.h"
#include "views/inspector/inspector_dock.h"
#include "views/main_window.h"
#include "views/profile/accuracy_table_model.h"
#include "views/profile/profile_charts.h"
#include "views/profile/profile_dock.h"

using namespace kiln;

namespace {

constexpr int kWaitMs = 180000;

passes::Recipe three_steps() {
  return passes::Recipe::parse(R"({"version": 1, "name": "t", "steps": [
      {"pass": "fold-constants"}, {"pass": "fuse-conv-batchnorm"}, {"pass": "fuse-conv-activation"}]})",
                               "test recipe");
}

// Opens resnet_mini and applies the first `steps` steps of three_steps().
bool open_and_apply(Document& doc, int steps) {
  QSignalSpy opened(&doc, &Document::opened);
  doc.open(QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx"));
  if (!opened.wait(30000)) return false;
  doc.load_recipe(three_steps());
  doc.apply_until(steps);
  return QTest::qWaitFor([&] { return !doc.busy(); }, 60000) && doc.position() == steps;
}

int bar_count(QChart* chart) {
  auto* bars = qobject_cast<QAbstractBarSeries*>(chart->series().value(0));
  return bars && !bars->barSets().isEmpty() ? static_cast<int>(bars->barSets().first()->count()) : -1;
}

// Labels on the category axis: as many as bars, or equal labels were merged and bars dropped.
int category_count(QChart* chart) {
  for (QAbstractAxis* a : chart->axes())
    if (auto* c = qobject_cast<QBarCategoryAxis*>(a)) return static_cast<int>(c->count());
  return -1;
}

const Json::Array& array_at(const Json& j, std::initializer_list<std::string_view> keys) {
  const Json* p = &j;
  for (std::string_view k : keys) p = p->find(k);
  return p->as_array();
}

ProfileSettings quick() {
  ProfileSettings s;
  s.backend = Backend::Cpu;
  s.threads = 1;
  s.step_timeline = true;
  return s;
}

}  // namespace

class ProfileDockTest : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    QVERIFY(dir_.isValid());
    qputenv("KILN_SESSION_FILE", dir_.filePath(QStringLiteral("session.json")).toUtf8());
  }

  void chartsFollowTheReport() {
    Document doc;
    QVERIFY(open_and_apply(doc, 2));
    ProfileDock dock(&doc);
    QAbstractItemModelTester tester(dock.accuracy_model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    dock.set_settings(quick());
    QSignalSpy profiled(&dock, &ProfileDock::profiled);
    QSignalSpy progress(dock.job(), &ProfileJob::progress);
    dock.run();
    QVERIFY(dock.running());
    QVERIFY(profiled.wait(kWaitMs));
    QVERIFY(!dock.running());
    QVERIFY(progress.count() >= 3);  // original, step 1, step 2 (and the end)
    const std::shared_ptr<const ProfileResult> result = dock.result();
    QVERIFY(result);
    QCOMPARE(result->model, doc.current());
    const profile::Report& r = result->report;

    const int op_types = profile_charts::op_type_count(r);
    QVERIFY(op_types > 3);
    QCOMPARE(bar_count(dock.chart(ProfileDock::OpTypes)), std::min(op_types, ProfileDock::kMaxOpTypeBars));

    const int nodes = profile_charts::profiled_node_count(r);
    QCOMPARE(nodes, static_cast<int>(doc.current()->graph->node_count()));
    QCOMPARE(bar_count(dock.chart(ProfileDock::TopNodes)), std::min(nodes, ProfileDock::kTopNodes));
    QCOMPARE(static_cast<int>(dock.top_node_ids().size()), std::min(nodes, ProfileDock::kTopNodes));
    for (ProfileDock::Chart c : {ProfileDock::OpTypes, ProfileDock::TopNodes, ProfileDock::Distribution})
      QCOMPARE(category_count(dock.chart(c)), bar_count(dock.chart(c)));

    // Every timed run lands in one bin of the histogram.
    auto* hist = qobject_cast<QAbstractBarSeries*>(dock.chart(ProfileDock::Distribution)->series().value(0));
    QVERIFY(hist);
    QCOMPARE(hist->barSets().first()->count(), ProfileDock::kHistogramBins);
    double runs = 0;
    for (int i = 0; i < hist->barSets().first()->count(); ++i) runs += hist->barSets().first()->at(i);
    QCOMPARE(static_cast<int>(runs), static_cast<int>(array_at(r.sections, {"latency", "runs_ms"}).size()));
    QCOMPARE(static_cast<int>(runs), static_cast<int>(r.sections.find("latency")->find("iterations")->as_int()));

    // Throughput and latency: one point per batch that ran, on each of the two lines.
    int ran = 0;
    for (const Json& p : array_at(r.sections, {"throughput", "points"})) ran += p.find("ran")->as_bool() ? 1 : 0;
    QVERIFY(ran >= 1);
    QCOMPARE(dock.chart(ProfileDock::Batch)->series().size(), 2);
    for (QAbstractSeries* s : dock.chart(ProfileDock::Batch)->series())
      QCOMPARE(static_cast<int>(qobject_cast<QXYSeries*>(s)->count()), ran);

    QVERIFY(bar_count(dock.chart(ProfileDock::Memory)) >= 2);  // weights and activations at least

    // Accuracy against the model as loaded: one row per output, and exact passes stay close.
    QCOMPARE(dock.accuracy_model()->rowCount(), static_cast<int>(array_at(r.sections, {"accuracy", "outputs"}).size()));
    QCOMPARE(dock.accuracy_model()->rowCount(), static_cast<int>(doc.current()->graph->outputs().size()));
    QVERIFY(r.card.accuracy_measured);
    QVERIFY(*r.card.max_abs_error < 1e-3);

    // Step timeline: the original and the two steps, on every line.
    QVERIFY(result->history);
    QCOMPARE(result->history->rows.size(), size_t{3});
    QCOMPARE(dock.chart(ProfileDock::Steps)->series().size(), 4);
    for (QAbstractSeries* s : dock.chart(ProfileDock::Steps)->series())
      QCOMPARE(qobject_cast<QXYSeries*>(s)->count(), 3);

    // Heat map: a value in [0, 1] for every profiled node, keyed by the snapshot's own ids.
    QSignalSpy heat(&dock, &ProfileDock::heatChanged);
    dock.set_heat_mode(HeatMode::Latency);
    QCOMPARE(heat.count(), 1);
    QCOMPARE(static_cast<int>(dock.heat().size()), nodes);
    float top = 0;
    for (const auto& [id, v] : dock.heat()) {
      QVERIFY(doc.current()->graph->find_node(id));
      QVERIFY(v >= 0.f && v <= 1.f);
      top = std::max(top, v);
    }
    QCOMPARE(top, 1.f);
    dock.set_heat_mode(HeatMode::Error);
    std::set<int64_t> compared;
    for (const Json& n : array_at(r.sections, {"accuracy", "per_node", "nodes"})) compared.insert(n.find("node_id")->as_int());
    QVERIFY(!compared.empty());
    QCOMPARE(dock.heat().size(), compared.size());
    dock.set_heat_mode(HeatMode::Off);
    QVERIFY(dock.heat().empty());

    // The Inspector's figures for a profiled node, none for another snapshot.
    const NodeId slowest = dock.top_node_ids().back();  // bars run bottom-up: the slowest is last
    QVERIFY(dock.node_figures(doc.current().get(), slowest).startsWith(QStringLiteral("latency\t")));
    QVERIFY(dock.node_figures(doc.snapshot(0).get(), slowest).isEmpty());
  }

  void withoutStepsTheOriginalIsItsOwnReference() {
    Document doc;
    QVERIFY(open_and_apply(doc, 0));
    ProfileDock dock(&doc);
    ProfileSettings s = quick();
    s.threads = std::min(2, QThread::idealThreadCount());
    s.step_timeline = false;  // with no step applied it changes nothing
    dock.set_settings(s);
    QSignalSpy profiled(&dock, &ProfileDock::profiled);
    dock.run();
    QVERIFY(profiled.wait(kWaitMs));
    QVERIFY(!dock.result()->history);
    QCOMPARE(dock.result()->report.threads, s.threads);
    // The choices of the last run are what the next dock starts with.
    ProfileDock next(&doc);
    QCOMPARE(next.settings().backend, s.backend);
    QCOMPARE(next.settings().threads, s.threads);
    QCOMPARE(next.settings().step_timeline, false);
    QVERIFY(!dock.result()->report.card.accuracy_measured);
    QCOMPARE(dock.accuracy_model()->rowCount(), 0);
    QVERIFY(dock.chart(ProfileDock::Steps)->series().isEmpty());
    QVERIFY(dock.chart(ProfileDock::Steps)->title().contains(QStringLiteral("apply a step")));
  }

  void cancelDeliversNothing() {
    Document doc;
    QVERIFY(open_and_apply(doc, 3));
    ProfileDock dock(&doc);
    ProfileSettings s = quick();
    s.backend = Backend::Ref;  // slower: the cancel lands while it runs
    dock.set_settings(s);
    QSignalSpy profiled(&dock, &ProfileDock::profiled);
    QSignalSpy finished(dock.job(), &ProfileJob::finished);
    QSignalSpy cancelled(dock.job(), &ProfileJob::cancelled);
    dock.run();
    QVERIFY(dock.running());
    dock.cancel();
    QVERIFY(cancelled.wait(kWaitMs));
    QVERIFY(!dock.running());
    QCOMPARE(finished.count(), 0);
    QCOMPARE(profiled.count(), 0);
    QVERIFY(!dock.result());
    QVERIFY(dock.heat().empty());
    // A dock destroyed while its job runs waits for it and goes quietly.
    auto* second = new ProfileDock(&doc);
    second->run();
    QVERIFY(second->running());
    delete second;
  }

  void mainWindowHostsTheDockAndPaintsTheHeatMap() {
    MainWindow w;
    w.show();
    QSignalSpy loaded(&w, &MainWindow::loaded);
    w.open_model(QStringLiteral(KILN_SAMPLES_DIR "/mobilenet_mini.onnx"));
    QVERIFY(loaded.wait(30000));
    QVERIFY(QTest::qWaitFor([&] { return !w.graph_panel()->layout_running(); }, 30000));
    QDockWidget* dock = w.findChild<QDockWidget*>(QStringLiteral("profile"));
    QVERIFY(dock);
    QCOMPARE(dock->widget(), static_cast<QWidget*>(w.profile()));
    w.show_profile();
    QVERIFY(dock->isVisible());

    w.profile()->set_settings(quick());
    w.profile()->set_heat_mode(HeatMode::Latency);
    QSignalSpy profiled(w.profile(), &ProfileDock::profiled);
    w.profile()->run();
    QVERIFY(profiled.wait(kWaitMs));
    const std::vector<float>& heat = w.graph_panel()->view()->heat();
    const auto hot = std::count_if(heat.begin(), heat.end(), [](float v) { return v >= 0; });
    QVERIFY(hot > 0);
    QVERIFY(std::find(heat.begin(), heat.end(), 1.f) != heat.end());

    // Clicking the slowest node's bar selects it in the graph (and so the Inspector).
    auto* bars = qobject_cast<QAbstractBarSeries*>(w.profile()->chart(ProfileDock::TopNodes)->series().value(0));
    QVERIFY(bars);
    const int last = static_cast<int>(bars->barSets().first()->count()) - 1;
    emit bars->barSets().first()->clicked(last);
    const NodeId slowest = w.profile()->top_node_ids().back();
    QCOMPARE(w.graph_panel()->view()->selected_item(), w.graph_panel()->view()->item_of_node(slowest));
    QCOMPARE(w.inspector()->node(), slowest);

    w.profile()->set_heat_mode(HeatMode::Off);
    QVERIFY(std::none_of(w.graph_panel()->view()->heat().begin(), w.graph_panel()->view()->heat().end(),
                         [](float v) { return v >= 0; }));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(ProfileDockTest)
#include "profile_dock_test.moc"
