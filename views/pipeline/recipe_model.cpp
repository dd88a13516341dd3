#include "views/pipeline/recipe_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "views/document.h"

namespace kiln {

RecipeModel::RecipeModel(Document* doc, QObject* parent) : QAbstractTableModel(parent), doc_(doc) {
  // The recipe changes as a whole (apply, undo, load); a reset keeps every view consistent.
  connect(doc_, &Document::recipeChanged, this, [this] {
    beginResetModel();
    endResetModel();
  });
}

int RecipeModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(doc_->steps().size());
}

int RecipeModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RecipeModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const size_t row = static_cast<size_t>(index.row());
  const bool applied = index.row() < doc_->position();
  const passes::RecipeStep& step = doc_->steps()[row];
  if (role == Qt::ForegroundRole && !applied) return QBrush(QColor(0x80, 0x80, 0x80));
  if (role == Qt::FontRole && index.row() == doc_->position() - 1) {
    QFont f;
    f.setBold(true);
    return f;
  }
  if (role == Qt::ToolTipRole && !step.options.is_null() && step.options.size() > 0)
    return QString::fromStdString("options: " + step.options.dump(-1));
  if (role != Qt::DisplayRole) return {};
  const passes::StepReport* r = applied ? &doc_->applied()[row].report : nullptr;
  switch (index.column()) {
    case Step: return index.row() + 1;
    case Pass: return QString::fromStdString(step.pass) + (step.until_fixed_point ? QStringLiteral(" ⟳") : QString());
    case Status: return applied ? (r->changed ? tr("applied") : tr("no change")) : tr("pending");
    case Nodes:
      if (!r) return {};
      return QStringLiteral("%1 → %2 (%3%4)")
          .arg(r->nodes_before)
          .arg(r->nodes_after)
          .arg(r->nodes_after >= r->nodes_before ? QStringLiteral("+") : QString())
          .arg(r->nodes_after - r->nodes_before);
    case Millis: return r ? QVariant(QString::number(r->ms, 'f', 1)) : QVariant();
    case Statistics: {
      if (!r) return {};
      QStringList parts;
      for (const auto& [name, v] : r->stats)
        if (v) parts << QStringLiteral("%1=%2").arg(QString::fromStdString(name)).arg(v);
      return parts.join(QStringLiteral(", "));
    }
  }
  return {};
}

QVariant RecipeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Step: return tr("#");
    case Pass: return tr("Pass");
    case Status: return tr("Status");
    case Nodes: return tr("Nodes");
    case Millis: return tr("ms");
    case Statistics: return tr("Statistics");
  }
  return {};
}

}  // namespace kiln
