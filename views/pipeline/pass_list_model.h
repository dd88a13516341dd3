#pragma once
// Every pass in the registry as a table: id, category, one-line summary (the description is the
// tooltip). The Pipeline dock adds the selected one to the recipe.
#include <QAbstractTableModel>

namespace kiln {

class PassListModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Id, Category, Summary, ColumnCount };
  static constexpr int PassIdRole = Qt::UserRole + 1;

  explicit PassListModel(QObject* parent = nullptr);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

}  // namespace kiln
