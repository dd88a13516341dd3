#pragma once
// The workbench window: opens a model off the GUI thread and shows its overview (the same
// summary as `kiln-cli inspect`), a searchable node table and the text form.
#include <QMainWindow>
#include <memory>

#include "core/ir/model.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace kiln {

class NodeTableModel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts loading in the background; loaded() or failed() follows.
  void open_model(const QString& path);
  const Model* model() const { return model_.get(); }
  int visible_node_rows() const;
  void set_node_filter(const QString& text);
  void show_tab(int index);

 signals:
  void loaded(const QString& path);
  void failed(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  struct LoadResult;
  void show_result(const QString& path, std::shared_ptr<LoadResult> r);

  std::unique_ptr<Model> model_;
  QTabWidget* tabs_;
  QPlainTextEdit* overview_;
  QPlainTextEdit* text_;
  QTableView* table_;
  QLineEdit* filter_;
  NodeTableModel* nodes_;
  QSortFilterProxyModel* proxy_;
  QProgressBar* busy_;
  QLabel* status_;
  bool loading_ = false;
};

}  // namespace kiln
