// The pipeline flow as a user drives it, under the offscreen platform: pick a pass, set an
// option in its generated form, add it, press Apply next, see the step in the timeline with its
// diff previewed on the graph, undo it from the dock. Every item model passes
// QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QDoubleSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "views/document.h"
#include "views/graph/graph_panel.h"
#include "views/inspector/inspector_dock.h"
#include "views/main_window.h"
#include "views/node_table_model.h"
#include "views/pipeline/pass_list_model.h"
#include "views/pipeline/pass_options_form.h"
#include "views/pipeline/pipeline_dock.h"
#include "views/pipeline/recipe_model.h"

using namespace kiln;

namespace {

QPushButton* button(QWidget* w, const QString& text) {
  for (QPushButton* b : w->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

}  // namespace

class PipelineDockTest : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    QVERIFY(dir_.isValid());
    qputenv("KILN_SESSION_FILE", dir_.filePath(QStringLiteral("session.json")).toUtf8());
  }

  void itemModelsPassTheTester() {
    PassListModel passes;
    QAbstractItemModelTester t1(&passes, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(passes.rowCount() > 10);

    Document doc;
    RecipeModel recipe(&doc);
    QAbstractItemModelTester t2(&recipe, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx"));
    QVERIFY(opened.wait(30000));
    doc.load_recipe(passes::Recipe::builtin("portable"));
    QCOMPARE(recipe.rowCount(), static_cast<int>(doc.steps().size()));
    doc.apply_until(2);
    QVERIFY(QTest::qWaitFor([&] { return !doc.busy(); }, 60000));
    QCOMPARE(recipe.index(0, RecipeModel::Status).data().toString(), QStringLiteral("applied"));
    QCOMPARE(recipe.index(2, RecipeModel::Status).data().toString(), QStringLiteral("pending"));
    QVERIFY(recipe.index(0, RecipeModel::Nodes).data().toString().contains(QStringLiteral("→")));

    NodeTableModel nodes;
    QAbstractItemModelTester t3(&nodes, QAbstractItemModelTester::FailureReportingMode::QtTest);
    nodes.set_graph(doc.current()->graph.get());
    QCOMPARE(nodes.rowCount(), static_cast<int>(doc.current()->graph->node_count()));
    nodes.set_graph(nullptr);
  }

  void optionFormFollowsTheDeclaration() {
    const passes::PassDef* fold = passes::PassRegistry::global().find("fold-constants");
    QVERIFY(fold);
    PassOptionsForm form;
    form.set_pass(&fold->info);
    QCOMPARE(form.options().size(), size_t{0});  // defaults are not written out
    auto* max_bytes = form.findChild<QDoubleSpinBox*>(QStringLiteral("max_bytes"));
    QVERIFY(max_bytes);
    max_bytes->setValue(4096);
    QCOMPARE(form.options().find("max_bytes")->as_int(), 4096);
    Json given = Json::object();
    given["max_bytes"] = int64_t{100};
    form.set_pass(&fold->info, given);
    QCOMPARE(form.findChild<QDoubleSpinBox*>(QStringLiteral("max_bytes"))->value(), 100.0);
    // Every registered pass gets a form whose values parse back.
    for (const passes::PassDef& def : passes::PassRegistry::global().all()) {
      form.set_pass(&def.info);
      def.info.parse_options(form.options());
    }
  }

  void userFlowWithDiffPreview() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QSignalSpy loaded(&w, &MainWindow::loaded);
    w.open_model(QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx"));
    QVERIFY(loaded.wait(30000));
    PipelineDock* dock = w.pipeline();
    Document* doc = w.document();

    dock->select_pass(QStringLiteral("fold-constants"));
    dock->add_selected_pass();
    dock->select_pass(QStringLiteral("fuse-conv-batchnorm"));
    button(dock, QStringLiteral("Add to recipe"))->click();
    QCOMPARE(doc->steps().size(), size_t{2});
    QCOMPARE(doc->steps()[1].pass, std::string("fuse-conv-batchnorm"));

    QSignalSpy preview(dock, &PipelineDock::previewRequested);
    QPushButton* next = button(dock, QStringLiteral("Apply next"));
    QVERIFY(next->isEnabled());
    next->click();
    QVERIFY(!next->isEnabled());  // disabled while the pass runs
    QVERIFY(QTest::qWaitFor([&] { return !doc->busy(); }, 60000));
    next->click();
    QVERIFY(QTest::qWaitFor([&] { return !doc->busy() && doc->position() == 2; }, 60000));
    QVERIFY(!next->isEnabled());  // nothing pending

    // The newest step is previewed: the graph shows its result with the fused Convs marked.
    QVERIFY(preview.count() > 0);
    QCOMPARE(preview.last().at(0).toInt(), 1);
    QCOMPARE(dock->previewed_step(), 1);
    QVERIFY(QTest::qWaitFor([&] { return !w.graph_panel()->layout_running(); }, 30000));
    QCOMPARE(w.graph_panel()->model(), doc->applied()[1].after);

    // Before the step: removed BatchNormalizations marked on the earlier snapshot.
    dock->set_show_before(true);
    QVERIFY(QTest::qWaitFor([&] { return !w.graph_panel()->layout_running(); }, 30000));
    QCOMPARE(w.graph_panel()->model(), doc->snapshot(1));

    // Selecting a node shows it in the Inspector.
    GraphView* view = w.graph_panel()->view();
    QVERIFY(view->search(QStringLiteral("BatchNormalization"), false) > 0);
    QVERIFY(w.inspector()->node() != 0);

    button(dock, QStringLiteral("Undo"))->click();
    QCOMPARE(doc->position(), 1);
    QVERIFY(button(dock, QStringLiteral("Apply next"))->isEnabled());
    QVERIFY(button(dock, QStringLiteral("Redo"))->isEnabled());
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(PipelineDockTest)
#include "pipeline_dock_test.moc"
