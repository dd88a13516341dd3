#pragma once
// The step timeline: every step of the document's recipe, applied ones with what they did
// (node counts, time, statistics) and pending ones after them.
#include <QAbstractTableModel>

namespace kiln {

class Document;

class RecipeModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Step, Pass, Status, Nodes, Millis, Statistics, ColumnCount };

  explicit RecipeModel(Document* doc, QObject* parent = nullptr);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  Document* doc_;
};

}  // namespace kiln
