// The node table lists every node of a graph with its typed inputs and outputs, survives a graph
// swap, and keeps Qt's item-model contract (QAbstractItemModelTester) throughout.
#include <QAbstractItemModelTester>
#include <QtTest>

#include "core/builder/sample_models.h"
#include "views/node_table_model.h"

using namespace kiln;

class NodeTableModelTest : public QObject {
  Q_OBJECT
 private slots:
  void listsEveryNodeAndKeepsTheContract() {
    const Model resnet = make_resnet_mini();
    const Model bert = make_bert_block();
    NodeTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(NodeTableModel::ColumnCount));

    model.set_graph(resnet.graph.get());
    QCOMPARE(model.rowCount(), int(resnet.graph->nodes().size()));
    const Node* first = resnet.graph->nodes().front();
    QCOMPARE(model.data(model.index(0, NodeTableModel::Op), Qt::DisplayRole).toString(),
             QString::fromStdString(first->op_type));
    QCOMPARE(model.data(model.index(0, NodeTableModel::Name), Qt::DisplayRole).toString(),
             QString::fromStdString(first->name));
    // A table has no children: the tester checks the model says so.
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);

    model.set_graph(bert.graph.get());
    QCOMPARE(model.rowCount(), int(bert.graph->nodes().size()));
    model.set_graph(nullptr);
    QCOMPARE(model.rowCount(), 0);
  }
};

QTEST_GUILESS_MAIN(NodeTableModelTest)
#include "node_table_model_test.moc"
