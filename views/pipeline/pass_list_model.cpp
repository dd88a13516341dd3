#include "views/pipeline/pass_list_model.h"

#include "passes/framework/pass.h"

namespace kiln {

namespace {
const std::vector<passes::PassDef>& all_passes() { return passes::PassRegistry::global().all(); }
}  // namespace

PassListModel::PassListModel(QObject* parent) : QAbstractTableModel(parent) {}

int PassListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(all_passes().size());
}

int PassListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PassListModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const passes::PassInfo& info = all_passes()[static_cast<size_t>(index.row())].info;
  if (role == PassIdRole) return QString::fromStdString(info.id);
  if (role == Qt::ToolTipRole) return QString::fromStdString(info.summary + "\n\n" + info.description);
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Id: return QString::fromStdString(info.id);
    case Category: return QString::fromUtf8(passes::category_name(info.category));
    case Summary: return QString::fromStdString(info.summary);
  }
  return {};
}

QVariant PassListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Id: return tr("Pass");
    case Category: return tr("Category");
    case Summary: return tr("What it does");
  }
  return {};
}

}  // namespace kiln
