#pragma once
// The nodes of a graph as a table: id, name, op, inputs and outputs with their types.
#include <QAbstractTableModel>
#include <vector>

#include "core/ir/graph.h"

namespace kiln {

class NodeTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Id, Name, Op, Inputs, Outputs, ColumnCount };

  explicit NodeTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  // The graph must outlive the model or be replaced by another set_graph() first.
  void set_graph(const Graph* graph);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::vector<const Node*> nodes_;
};

}  // namespace kiln
