// The Inspector shows what a node is and what it computes with: attributes, typed inputs and
// outputs, provenance traced back to the loaded model after a fusion, and weight statistics whose
// figures are checked against a tensor with known values.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include "core/builder/model_builder.h"
#include "views/document.h"
#include "views/inspector/inspector_dock.h"
#include "views/inspector/weight_stats.h"

using namespace kiln;

namespace {

QStringList rows(const QTreeWidget* tree) {
  QStringList out;
  for (int i = 0; i < tree->topLevelItemCount(); ++i) {
    const QTreeWidgetItem* s = tree->topLevelItem(i);
    out << s->text(0);
    for (int k = 0; k < s->childCount(); ++k) out << s->child(k)->text(0) + QStringLiteral(" = ") + s->child(k)->text(1);
  }
  return out;
}

}  // namespace

class InspectorDockTest : public QObject {
  Q_OBJECT
 private slots:
  void weightStatistics() {
    const auto t = make_tensor("w", DataType::Float32, {2, 4}, {0, 0, 1, 2, 3, 4, -1, 0});
    const WeightStats s = weight_stats(*t, 5);
    QVERIFY(s.numeric);
    QCOMPARE(s.count, int64_t{8});
    QCOMPARE(s.sampled, int64_t{8});
    QCOMPARE(s.min, -1.0);
    QCOMPARE(s.max, 4.0);
    QCOMPARE(s.mean, 9.0 / 8);
    QCOMPARE(s.sparsity, 3.0 / 8);
    QVERIFY(std::abs(s.std - std::sqrt(31.0 / 8 - (9.0 / 8) * (9.0 / 8))) < 1e-12);
    int64_t total = 0;
    for (int64_t b : s.bins) total += b;
    QCOMPARE(total, int64_t{8});
    QCOMPARE(s.bins.front(), int64_t{1});  // -1 alone in [-1, 0)
    QCOMPARE(s.bins.back(), int64_t{2});   // 3 and 4
    // Large tensors are summarised from a strided sample, and say so.
    std::vector<float> big(1000, 1.f);
    const WeightStats sampled = weight_stats(*make_tensor("b", DataType::Float32, {1000}, big), 10, 100);
    QVERIFY(sampled.sampled < sampled.count);
    QCOMPARE(sampled.mean, 1.0);
    // Other element types go through the general conversion.
    const WeightStats ints = weight_stats(*make_tensor_i64("i", {3}, {1, 2, 3}));
    QCOMPARE(ints.mean, 2.0);
  }

  void showsNodeAndProvenanceAfterFusion() {
    QTemporaryDir dir;
    qputenv("KILN_SESSION_FILE", dir.filePath(QStringLiteral("session.json")).toUtf8());
    Document doc;
    QSignalSpy opened(&doc, &Document::opened);
    doc.open(QStringLiteral(KILN_SAMPLES_DIR "/resnet_mini.onnx"));
    QVERIFY(opened.wait(30000));
    doc.add_step({"fuse-conv-batchnorm", Json::object(), false});
    doc.apply_next();
    QVERIFY(QTest::qWaitFor([&] { return !doc.busy() && doc.position() == 1; }, 60000));
    const Node* fused = nullptr;
    doc.current()->graph->for_each_node([&](const Node* n) {
      if (!fused && n->op_type == "Conv" && n->provenance.size() == 2) fused = n;
    });
    QVERIFY(fused);

    InspectorDock inspector;
    inspector.show_node(doc.current(), doc.snapshot(0), fused->id());
    QCOMPARE(inspector.node(), fused->id());
    const QStringList text = rows(inspector.tree());
    QVERIFY2(text.contains(QStringLiteral("op = Conv")), qPrintable(text.join('\n')));
    QVERIFY(text.contains(QStringLiteral("Provenance (2 original nodes)")));
    // Traced to the loaded model: the original Conv and BatchNormalization by op and name.
    QCOMPARE(text.filter(QRegularExpression(QStringLiteral("^#\\d+ = (Conv|BatchNormalization)  /"))).size(), 2);
    QVERIFY(text.contains(QStringLiteral("kernel_shape = [3, 3]")));
    QVERIFY(!text.filter(QStringLiteral("f32[")).isEmpty());  // typed values
    QCOMPARE(inspector.weight_count(), 2);                      // folded weight and bias
    QVERIFY(inspector.weight().numeric);
    QVERIFY(inspector.weight().max > inspector.weight().min);

    inspector.show_node(doc.current(), doc.snapshot(0), 999999);
    QCOMPARE(inspector.node(), NodeId{0});
  }
};

QTEST_MAIN(InspectorDockTest)
#include "inspector_dock_test.moc"
