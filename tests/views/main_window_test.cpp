// The window opens the bundled sample off the GUI thread, shows every node, filters them, and
// reports a broken file without losing what was open.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "views/main_window.h"

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
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
