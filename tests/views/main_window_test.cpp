// The window opens the bundled sample off the GUI thread, shows every node, filters them, and
// reports a broken file without losing what was open; a dropped file opens, is laid out in the
// graph view and joins the recent files.
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "views/graph/graph_panel.h"
#include "views/main_window.h"

// QApplication delivers drops only during a real drag, so the test calls the handler directly.
class DropTarget : public kiln::MainWindow {
 public:
  void drop(QDropEvent* e) { dropEvent(e); }
};

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void opensSampleOffTheGuiThread() {
    kiln::MainWindow w;
    QSignalSpy loaded(&w, &kiln::MainWindow::loaded);
    w.open_model(QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx"));
    QVERIFY(loaded.wait(30000));
    QVERIFY(w.model() != nullptr);
    const int nodes = static_cast<int>(w.model()->graph->node_count());
    QVERIFY(nodes > 10);
    QCOMPARE(w.visible_node_rows(), nodes);
    w.set_node_filter(QStringLiteral("^BatchNormalization$"));
    QVERIFY(w.visible_node_rows() > 0);
    QVERIFY(w.visible_node_rows() < nodes);
  }

  void badFileKeepsCurrentModel() {
    kiln::MainWindow w;
    QSignalSpy loaded(&w, &kiln::MainWindow::loaded);
    w.open_model(QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx"));
    QVERIFY(loaded.wait(30000));
    const kiln::Model* before = w.model();
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("broken.onnx"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a model");
    f.close();
    QSignalSpy failed(&w, &kiln::MainWindow::failed);
    w.open_model(bad);
    QVERIFY(failed.wait(30000));
    QVERIFY(failed.takeFirst().at(0).toString().contains(QStringLiteral("broken.onnx")));
    QCOMPARE(w.model(), before);
  }

  void droppedFileOpensAndIsRemembered() {
    DropTarget w;
    QSignalSpy loaded(&w, &kiln::MainWindow::loaded);
    QSignalSpy laid_out(w.graph_panel(), &kiln::GraphPanel::layoutFinished);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QStringLiteral(KILN_SAMPLES_DIR "/bert_block.onnx"))});
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    w.drop(&drop);
    QVERIFY(loaded.wait(30000));
    QVERIFY(w.recent_files().value(0).endsWith(QStringLiteral("bert_block.onnx")));
    QVERIFY(laid_out.wait(30000));
    const kiln::ViewGraph* vg = w.graph_panel()->view()->view_graph();
    QVERIFY(vg != nullptr);
    QVERIFY(vg->items.size() > 20);
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
