#pragma once
// The accuracy deltas of a profile, one row per model output: how far the profiled model's
// outputs are from the reference's (the model as loaded) on the same inputs.
#include <QAbstractTableModel>
#include <QString>
#include <vector>

#include "core/profile/report.h"

namespace kiln {

class AccuracyTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Output, MaxAbs, MeanAbs, MaxRel, Cosine, SnrDb, Top1, ColumnCount };

  explicit AccuracyTableModel(QObject* parent = nullptr);

  // Rows from the report's accuracy section; none when it has no reference.
  void set_report(const profile::Report* report);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    QString output;
    bool identical = false;
    double max_abs = 0, mean_abs = 0, max_rel = 0, cosine = 1;
    double snr_db = 0;  // meaningless when identical
    double top1 = -1;   // < 0: not a classifier output
  };
  std::vector<Row> rows_;
};

}  // namespace kiln
