#include "views/node_table_model.h"

namespace kiln {
namespace {

QString describe(const std::vector<Value*>& values) {
  QStringList parts;
  for (const Value* v : values)
    parts << (v ? QString::fromStdString(v->name() + ": " + v->type.str()) : QStringLiteral("_"));
  return parts.join(QStringLiteral(", "));
}

}  // namespace

void NodeTableModel::set_graph(const Graph* graph) {
  beginResetModel();
  nodes_.clear();
  if (graph) graph->for_each_node([&](const Node* n) { nodes_.push_back(n); });
  endResetModel();
}

int NodeTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(nodes_.size());
}

int NodeTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(nodes_.size())) return {};
  const Node* n = nodes_[static_cast<size_t>(index.row())];
  if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
    switch (index.column()) {
      case Id: return QVariant::fromValue<qulonglong>(n->id());
      case Name: return QString::fromStdString(n->name);
      case Op:
        return QString::fromStdString(n->is_onnx_domain() ? n->op_type : n->domain + "::" + n->op_type);
      case Inputs: return describe(n->inputs());
      case Outputs: return describe(n->outputs());
    }
  }
  return {};
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Id: return tr("Id");
    case Name: return tr("Name");
    case Op: return tr("Op");
    case Inputs: return tr("Inputs");
    case Outputs: return tr("Outputs");
  }
  return {};
}

}  // namespace kiln
