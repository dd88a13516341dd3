#pragma once
// The workbench window. The graph is the centre (with the overview, node table and text form as
// further tabs); docks hold the Pipeline, the Profile (tabbed with it), the Inspector and the
// Log; the Profile's heat map is painted on the graph when it shows the profiled snapshot. A
// model opens by dialog, drag and drop, command line or the recent-files menu; window layout and
// recent files are kept in QSettings; the session is autosaved by the document and offered back
// after a crash.
#include <QMainWindow>
#include <functional>
#include <memory>

#include "core/ir/model.h"

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace kiln {

class Document;
class GraphPanel;
class InspectorDock;
class NodeTableModel;
class PipelineDock;
class ProfileDock;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum Tab { GraphTab, OverviewTab, NodesTab, TextTab };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts loading in the background; loaded() or failed() follows.
  void open_model(const QString& path);
  // The model shown (after the applied steps), or nullptr.
  const Model* model() const { return shown_.get(); }
  int visible_node_rows() const;
  void set_node_filter(const QString& text);
  void show_tab(int index);

  Document* document() const { return doc_; }
  GraphPanel* graph_panel() const { return graph_; }
  PipelineDock* pipeline() const { return pipeline_; }
  InspectorDock* inspector() const { return inspector_; }
  ProfileDock* profile() const { return profile_; }
  // Brings the Profile dock to the front (it shares its place with the Pipeline).
  void show_profile();
  QStringList recent_files() const;

  // After a crash (the saved session was not closed cleanly), asks whether to restore it.
  // Returns whether a restore started.
  bool offer_session_restore();

 signals:
  void loaded(const QString& path);
  void failed(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void closeEvent(QCloseEvent* e) override;
  void showEvent(QShowEvent* e) override;

 private:
  void build_menus();
  QDockWidget* add_dock(const QString& title, const QString& name, QWidget* w, Qt::DockWidgetArea area);
  void show_current();
  void preview_step(int index, bool before);
  void refresh_tabs();
  void remember_recent(const QString& path);
  void update_recent_menu();
  void update_actions();
  void log(const QString& text);
  void export_model();
  void export_recipe();
  void export_report();
  void apply_heat();

  Document* doc_;
  std::shared_ptr<const Model> shown_;     // what the node table and text tabs show
  std::shared_ptr<const Model> tabs_for_;  // the snapshot the overview/text tabs were made for
  QTabWidget* tabs_;
  GraphPanel* graph_;
  QPlainTextEdit* overview_;
  QPlainTextEdit* text_;
  QTableView* table_;
  QLineEdit* filter_;
  NodeTableModel* nodes_;
  QSortFilterProxyModel* proxy_;
  PipelineDock* pipeline_;
  InspectorDock* inspector_;
  ProfileDock* profile_;
  QDockWidget* profile_dock_;
  QPlainTextEdit* log_;
  QProgressBar* busy_;
  QLabel* status_;
  QMenu* recent_menu_;
  QAction* undo_;
  QAction* redo_;
  QAction* apply_next_;
  QAction* apply_all_;
  QAction* cancel_;
  std::function<void()> size_docks_;  // first-run dock sizes, applied once shown
};

}  // namespace kiln
