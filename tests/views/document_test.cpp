// The document applies passes off the GUI thread one undoable step at a time: three passes on the
// bundled ResNet sample, then undo and redo, give the same node counts at every step; recipe edits
// undo too; a cancelled run stops between steps; the session file follows every change and a
// restore puts the same steps back.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "views/document.h"
#include "views/pipeline/step_diff.h"

using namespace kiln;

namespace {

const QString kSample = QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx");

passes::Recipe three_passes() {
  passes::Recipe r;
  r.name = "three";
  r.steps = {{"fold-constants", Json::object(), false},
             {"fuse-conv-batchnorm", Json::object(), false},
             {"fuse-conv-activation", Json::object(), false}};
  return r;
}

size_t nodes(const Document& d) { return d.current()->graph->total_node_count(); }

bool wait_idle(Document& d) {
  return QTest::qWaitFor([&] { return !d.busy(); }, 60000);
}

}  // namespace

class DocumentTest : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    QVERIFY(dir_.isValid());
    qputenv("KILN_SESSION_FILE", dir_.filePath(QStringLiteral("session.json")).toUtf8());
  }

  void applyUndoRedoRoundTrip() {
    Document doc;
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(kSample);
    QVERIFY(opened.wait(30000));
    const size_t original = nodes(doc);
    doc.load_recipe(three_passes());
    QCOMPARE(doc.pending_count(), 3);

    std::vector<size_t> counts{original};
    for (int i = 0; i < 3; ++i) {
      doc.apply_next();
      QVERIFY(doc.busy());  // the pass runs on a worker thread
      QVERIFY(wait_idle(doc));
      QCOMPARE(doc.position(), i + 1);
      counts.push_back(nodes(doc));
      QCOMPARE(static_cast<int64_t>(counts.back()), doc.applied().back().report.nodes_after);
    }
    QVERIFY(counts[1] < counts[0]);  // each of these passes removes nodes on this model
    QVERIFY(counts[2] < counts[1]);
    QVERIFY(counts[3] < counts[2]);

    doc.undo();
    QCOMPARE(doc.position(), 2);
    QCOMPARE(nodes(doc), counts[2]);
    QCOMPARE(doc.pending_count(), 1);  // an undone step is pending again
    doc.undo();
    QCOMPARE(nodes(doc), counts[1]);
    doc.redo();
    QCOMPARE(nodes(doc), counts[2]);
    doc.redo();
    QCOMPARE(nodes(doc), counts[3]);
    QCOMPARE(doc.position(), 3);
    // Snapshots are kept per step: the original is untouched.
    QCOMPARE(doc.snapshot(0)->graph->total_node_count(), original);
    QVERIFY(doc.snapshot(0)->graph->verify().empty());
    QVERIFY(doc.current()->graph->verify().empty());

    // The diff of the fusion step: Conv nodes added, BatchNormalization removed.
    const AppliedStep& fuse = doc.applied()[1];
    const StepDiff d = diff_step(fuse.report.log, *doc.snapshot(1), *fuse.after);
    QVERIFY(d.added > 0);
    QVERIFY(d.removed > d.added);
    QVERIFY(QString::fromStdString(d.summary).contains(QStringLiteral("BatchNormalization")));
    for (const auto& [id, mark] : d.after) QVERIFY(fuse.after->graph->find_node(id) != nullptr);
  }

  void applyAllIsOneUndoableStepEach() {
    Document doc;
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(kSample);
    QVERIFY(opened.wait(30000));
    doc.load_recipe(three_passes());
    QSignalSpy progress(&doc, &Document::progress);
    doc.apply_all();
    QVERIFY(wait_idle(doc));
    QCOMPARE(doc.position(), 3);
    QVERIFY(progress.count() >= 3);
    QCOMPARE(doc.undo_stack()->count(), 4);  // load recipe + three steps
    doc.undo();
    doc.undo();
    doc.undo();
    QCOMPARE(doc.position(), 0);
    doc.undo();  // the recipe load itself
    QCOMPARE(doc.steps().size(), size_t{0});
  }

  void recipeEditsUndo() {
    Document doc;
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(kSample);
    QVERIFY(opened.wait(30000));
    doc.add_step({"fold-constants", Json::object(), false});
    doc.add_step({"eliminate-dead-code", Json::object(), false});
    QCOMPARE(doc.steps().size(), size_t{2});
    Json options = Json::object();
    options["max_bytes"] = int64_t{4096};
    doc.set_step_options(0, options);
    QCOMPARE(doc.steps()[0].options.find("max_bytes")->as_int(), 4096);
    doc.remove_step(1);
    QCOMPARE(doc.steps().size(), size_t{1});
    doc.undo();
    QCOMPARE(doc.steps()[1].pass, std::string("eliminate-dead-code"));
    doc.undo();
    QVERIFY(doc.steps()[0].options.find("max_bytes") == nullptr);
    // Applied steps cannot be edited: undo them first.
    doc.apply_next();
    QVERIFY(wait_idle(doc));
    doc.remove_step(0);
    QCOMPARE(doc.steps().size(), size_t{2});
  }

  void cancelStopsBetweenSteps() {
    Document doc;
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(kSample);
    QVERIFY(opened.wait(30000));
    doc.load_recipe(passes::Recipe::builtin("kiln"));
    doc.apply_all();
    doc.cancel();
    QVERIFY(wait_idle(doc));
    QVERIFY(doc.position() < static_cast<int>(doc.steps().size()));
    // Still consistent and usable afterwards.
    doc.apply_next();
    QVERIFY(wait_idle(doc));
    QVERIFY(doc.position() >= 1);
  }

  void failedOpenKeepsDocument() {
    Document doc;
    QSignalSpy failed(&doc, &Document::failed);
    doc.open(dir_.filePath(QStringLiteral("missing.onnx")));
    QVERIFY(failed.wait(30000));
    QVERIFY(!doc.is_open());
  }

  void sessionIsAutosavedAndRestored() {
    const QString file = dir_.filePath(QStringLiteral("session.json"));
    size_t after_two = 0;
    {
      Document doc;
      QCOMPARE(doc.session_file(), file);
      QSignalSpy opened(&doc, &Document::opened);
      doc.open(kSample);
      QVERIFY(opened.wait(30000));
      doc.load_recipe(three_passes());
      doc.apply_until(2);
      QVERIFY(wait_idle(doc));
      after_two = nodes(doc);
      // No clean exit: as after a crash.
    }
    const std::optional<SessionState> s = SessionStore::load(file);
    QVERIFY(s.has_value());
    QVERIFY(!s->clean_exit);
    QCOMPARE(s->position, 2);
    QCOMPARE(s->model_path, kSample);
    QCOMPARE(s->recipe.find("steps")->size(), size_t{3});

    Document restored;
    QSignalSpy opened(&restored, &Document::opened);
    restored.restore(*s);
    QVERIFY(opened.wait(30000));
    QVERIFY(QTest::qWaitFor([&] { return restored.position() == 2 && !restored.busy(); }, 60000));
    QCOMPARE(nodes(restored), after_two);
    QCOMPARE(restored.steps().size(), size_t{3});
    restored.mark_clean_exit();
    QVERIFY(SessionStore::load(file)->clean_exit);
  }

  void exportsModelRecipeAndReport() {
    Document doc;
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(kSample);
    QVERIFY(opened.wait(30000));
    doc.load_recipe(three_passes());
    doc.apply_all();
    QVERIFY(wait_idle(doc));
    const QString model = dir_.filePath(QStringLiteral("out.onnx"));
    const QString recipe = dir_.filePath(QStringLiteral("recipe.json"));
    const QString report = dir_.filePath(QStringLiteral("report.json"));
    QString error;
    QVERIFY2(doc.save_model(model, &error), qPrintable(error));
    QVERIFY2(doc.save_recipe(recipe, &error), qPrintable(error));
    QVERIFY2(doc.save_report(report, &error), qPrintable(error));
    Document reopened;
    QSignalSpy again(&reopened, &Document::opened);
    reopened.open(model);
    QVERIFY(again.wait(30000));
    QCOMPARE(nodes(reopened), nodes(doc));
    QCOMPARE(passes::Recipe::load(recipe.toStdString()).steps.size(), size_t{3});
    QVERIFY(!doc.save_model(dir_.filePath(QStringLiteral("no/such/dir/out.onnx")), &error));
    QVERIFY(!error.isEmpty());
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(DocumentTest)
#include "document_test.moc"
