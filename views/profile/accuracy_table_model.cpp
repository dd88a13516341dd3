#include "views/profile/accuracy_table_model.h"

namespace kiln {
namespace {

double number(const Json& j, std::string_view key, double fallback) {
  const Json* v = j.find(key);
  return v && v->is_number() ? v->as_double() : fallback;
}

}  // namespace

AccuracyTableModel::AccuracyTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void AccuracyTableModel::set_report(const profile::Report* report) {
  beginResetModel();
  rows_.clear();
  const Json* acc = report ? report->sections.find("accuracy") : nullptr;
  const Json* outputs = acc && acc->is_object() ? acc->find("outputs") : nullptr;
  if (outputs && outputs->is_array())
    for (const Json& o : outputs->as_array()) {
      if (!o.is_object()) continue;
      Row r;
      if (const Json* n = o.find("name"); n && n->is_string()) r.output = QString::fromStdString(n->as_string());
      if (const Json* i = o.find("identical"); i && i->is_bool()) r.identical = i->as_bool();
      r.max_abs = number(o, "max_abs_error", 0);
      r.mean_abs = number(o, "mean_abs_error", 0);
      r.max_rel = number(o, "max_rel_error", 0);
      r.cosine = number(o, "cosine", 1);
      r.snr_db = number(o, "snr_db", 0);
      r.top1 = number(o, "top1_agreement", -1);
      rows_.push_back(std::move(r));
    }
  endResetModel();
}

int AccuracyTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int AccuracyTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AccuracyTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) return {};
  const Row& r = rows_[static_cast<size_t>(index.row())];
  if (role == Qt::TextAlignmentRole)
    return index.column() == Output ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && index.column() == SnrDb && r.identical)
    return tr("The outputs are identical: the signal-to-noise ratio is infinite.");
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Output: return r.output;
    case MaxAbs: return QString::number(r.max_abs, 'g', 3);
    case MeanAbs: return QString::number(r.mean_abs, 'g', 3);
    case MaxRel: return QString::number(r.max_rel, 'g', 3);
    case Cosine: return QString::number(r.cosine, 'f', 6);
    case SnrDb: return r.identical ? QStringLiteral("∞") : QString::number(r.snr_db, 'f', 1);
    case Top1: return r.top1 < 0 ? QStringLiteral("—") : QStringLiteral("%1%").arg(100.0 * r.top1, 0, 'f', 1);
    default: return {};
  }
}

QVariant AccuracyTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole || orientation != Qt::Horizontal) return QAbstractTableModel::headerData(section, orientation, role);
  switch (section) {
    case Output: return tr("Output");
    case MaxAbs: return tr("Max abs error");
    case MeanAbs: return tr("Mean abs error");
    case MaxRel: return tr("Max rel error");
    case Cosine: return tr("Cosine");
    case SnrDb: return tr("SNR, dB");
    case Top1: return tr("Top-1 agreement");
    default: return {};
  }
}

}  // namespace kiln
