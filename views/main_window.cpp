#include "views/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <utility>

#include "core/analysis/model_summary.h"
#include "core/ir/text_format.h"
#include "views/document.h"
#include "views/graph/graph_panel.h"
#include "views/inspector/inspector_dock.h"
#include "views/node_table_model.h"
#include "views/pipeline/pipeline_dock.h"
#include "views/pipeline/step_diff.h"
#include "views/profile/profile_dock.h"
#include "views/session_store.h"

namespace kiln {
namespace {

constexpr int kMaxRecent = 8;
// Printing the text form of a huge model takes seconds and nobody reads it whole.
constexpr size_t kMaxTextNodes = 20000;

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), doc_(new Document(this)) {
  setWindowTitle(tr("Kiln"));
  setAcceptDrops(true);
  resize(1400, 900);
  setDockNestingEnabled(true);

  const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  graph_ = new GraphPanel;
  overview_ = new QPlainTextEdit;
  overview_->setReadOnly(true);
  overview_->setFont(mono);
  overview_->setPlaceholderText(tr("Open an ONNX model (File > Open, or drop it here)."));
  text_ = new QPlainTextEdit;
  text_->setReadOnly(true);
  text_->setFont(mono);
  text_->setLineWrapMode(QPlainTextEdit::NoWrap);
  nodes_ = new NodeTableModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(nodes_);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1);
  table_ = new QTableView;
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(NodeTableModel::Id, Qt::AscendingOrder);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  filter_ = new QLineEdit;
  filter_->setPlaceholderText(tr("Filter by name, op type or value (regular expression)"));
  filter_->setClearButtonEnabled(true);
  connect(filter_, &QLineEdit::textChanged, this, &MainWindow::set_node_filter);
  auto* nodes_page = new QWidget;
  auto* layout = new QVBoxLayout(nodes_page);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(filter_);
  layout->addWidget(table_);
  tabs_ = new QTabWidget;
  tabs_->setDocumentMode(true);
  tabs_->addTab(graph_, tr("Graph"));
  tabs_->addTab(overview_, tr("Overview"));
  tabs_->addTab(nodes_page, tr("Nodes"));
  tabs_->addTab(text_, tr("Text"));
  setCentralWidget(tabs_);
  connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::refresh_tabs);

  pipeline_ = new PipelineDock(doc_);
  inspector_ = new InspectorDock;
  inspector_->setMinimumWidth(260);  // narrower, attribute values become unreadable
  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setFont(mono);
  QDockWidget* pipeline_dock = add_dock(tr("Pipeline"), QStringLiteral("pipeline"), pipeline_, Qt::RightDockWidgetArea);
  QDockWidget* inspector_dock = add_dock(tr("Inspector"), QStringLiteral("inspector"), inspector_, Qt::LeftDockWidgetArea);
  QDockWidget* log_dock = add_dock(tr("Log"), QStringLiteral("log"), log_, Qt::BottomDockWidgetArea);
  profile_ = new ProfileDock(doc_);
  profile_dock_ = add_dock(tr("Profile"), QStringLiteral("profile"), profile_, Qt::RightDockWidgetArea);
  // Charts want the Pipeline's height more than the Log's; the two are rarely read at once.
  tabifyDockWidget(pipeline_dock, profile_dock_);
  pipeline_dock->raise();

  busy_ = new QProgressBar;
  busy_->setRange(0, 0);  // indeterminate: loading has no meaningful percentage
  busy_->setMaximumWidth(160);
  busy_->hide();
  status_ = new QLabel;
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(busy_);
  build_menus();

  connect(doc_, &Document::opened, this, [this](const QString& path) {
    remember_recent(path);
    setWindowTitle(tr("Kiln — %1").arg(QFileInfo(path).fileName()));
    inspector_->clear();
    show_current();
    status_->setText(tr("%1: %2 nodes").arg(QFileInfo(path).fileName()).arg(doc_->current()->graph->total_node_count()));
    emit loaded(path);
  });
  connect(doc_, &Document::failed, this, [this](const QString& message) {
    status_->setText(message.section(QLatin1Char('\n'), 0, 0));
    if (isVisible()) QMessageBox::warning(this, tr("Kiln"), message);
    emit failed(message);
  });
  connect(doc_, &Document::positionChanged, this, [this] {
    if (pipeline_->previewed_step() < 0) show_current();
    status_->setText(tr("%1 of %2 steps applied; %3 nodes")
                         .arg(doc_->position())
                         .arg(doc_->steps().size())
                         .arg(doc_->current() ? doc_->current()->graph->total_node_count() : 0));
  });
  connect(doc_, &Document::busyChanged, this, [this](bool busy) {
    busy_->setVisible(busy);
    update_actions();
  });
  connect(doc_->undo_stack(), &QUndoStack::indexChanged, this, &MainWindow::update_actions);
  connect(doc_, &Document::recipeChanged, this, &MainWindow::update_actions);
  connect(doc_, &Document::logMessage, this, &MainWindow::log);
  connect(graph_, &GraphPanel::message, this, &MainWindow::log);
  connect(pipeline_, &PipelineDock::previewRequested, this, &MainWindow::preview_step);
  connect(graph_, &GraphPanel::nodeSelected, this, [this](quint64 node) {
    inspector_->show_node(graph_->model(), doc_->snapshot(0), node);
  });
  inspector_->set_profile_figures([this](const Model* model, NodeId node) { return profile_->node_figures(model, node); });
  // The heat map is painted only on the snapshot it was measured on, again after every layout.
  connect(profile_, &ProfileDock::heatChanged, this, &MainWindow::apply_heat);
  connect(graph_, &GraphPanel::layoutFinished, this, &MainWindow::apply_heat);
  connect(profile_, &ProfileDock::nodeActivated, this, [this](quint64 node) {
    if (graph_->model() && graph_->model() == profile_->profiled_model()) graph_->view()->select_node(node);
  });
  connect(profile_, &ProfileDock::profiled, this, [this] {
    const auto& r = profile_->result()->report;
    log(tr("Profiled %1 on %2 in %3 s: p50 %4 ms")
            .arg(QString::fromStdString(r.model), QString::fromStdString(r.backend))
            .arg(profile_->result()->seconds, 0, 'f', 1)
            .arg(r.card.p50_ms.value_or(0), 0, 'f', 3));
    if (inspector_->node() && graph_->model() == profile_->profiled_model())
      inspector_->show_node(graph_->model(), doc_->snapshot(0), inspector_->node());
  });

  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
    // First run: the graph gets the room. Docks take sizes only once the window is shown.
    size_docks_ = [this, inspector_dock, pipeline_dock, log_dock] {
      resizeDocks({inspector_dock, pipeline_dock}, {width() * 22 / 100, width() * 33 / 100}, Qt::Horizontal);
      resizeDocks({log_dock}, {height() / 9}, Qt::Vertical);
    };
  }
  update_recent_menu();
  update_actions();
}

MainWindow::~MainWindow() = default;

QDockWidget* MainWindow::add_dock(const QString& title, const QString& name, QWidget* w, Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(name);  // restoreState finds docks by name
  dock->setWidget(w);
  addDockWidget(area, dock);
  return dock;
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open..."), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open model"), {}, tr("ONNX models (*.onnx);;All files (*)"));
    if (!path.isEmpty()) open_model(path);
  });
  recent_menu_ = file->addMenu(tr("Open &Recent"));
  file->addSeparator();
  file->addAction(tr("Export optimized &ONNX..."), QKeySequence(tr("Ctrl+E")), this, &MainWindow::export_model);
  file->addAction(tr("Export &recipe..."), this, &MainWindow::export_recipe);
  file->addAction(tr("Export re&port..."), this, &MainWindow::export_report);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  undo_ = edit->addAction(tr("&Undo"), QKeySequence::Undo, doc_, &Document::undo);
  redo_ = edit->addAction(tr("&Redo"), QKeySequence::Redo, doc_, &Document::redo);

  QMenu* pipeline = menuBar()->addMenu(tr("&Pipeline"));
  apply_next_ = pipeline->addAction(tr("Apply &next step"), QKeySequence(Qt::Key_F10), doc_, &Document::apply_next);
  apply_all_ = pipeline->addAction(tr("Apply &all steps"), QKeySequence(tr("Shift+F10")), doc_, &Document::apply_all);
  cancel_ = pipeline->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), doc_, &Document::cancel);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Fit graph"), QKeySequence(tr("Ctrl+0")), this, [this] { graph_->view()->fit(); });
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
}

void MainWindow::update_actions() {
  const bool busy = doc_->busy();
  undo_->setEnabled(!busy && doc_->undo_stack()->canUndo());
  redo_->setEnabled(!busy && doc_->undo_stack()->canRedo());
  undo_->setText(doc_->undo_stack()->canUndo() ? tr("&Undo %1").arg(doc_->undo_stack()->undoText()) : tr("&Undo"));
  redo_->setText(doc_->undo_stack()->canRedo() ? tr("&Redo %1").arg(doc_->undo_stack()->redoText()) : tr("&Redo"));
  apply_next_->setEnabled(!busy && doc_->is_open() && doc_->pending_count() > 0);
  apply_all_->setEnabled(!busy && doc_->is_open() && doc_->pending_count() > 0);
  cancel_->setEnabled(busy);
}

void MainWindow::open_model(const QString& path) { doc_->open(path); }

void MainWindow::show_current() {
  shown_ = doc_->current();
  graph_->show_model(shown_, doc_->position() > 0);
  apply_heat();  // showing a snapshot again clears the decorations
  nodes_->set_graph(shown_ ? shown_->graph.get() : nullptr);
  table_->resizeColumnsToContents();
  tabs_for_.reset();
  refresh_tabs();
}

void MainWindow::preview_step(int index, bool before) {
  if (index < 0 || index >= doc_->position()) {
    show_current();
    return;
  }
  const AppliedStep& step = doc_->applied()[static_cast<size_t>(index)];
  std::shared_ptr<const Model> prior = doc_->snapshot(index);
  const StepDiff diff = diff_step(step.report.log, *prior, *step.after);
  shown_ = before ? prior : step.after;
  graph_->show_model(shown_, true, before ? diff.before : diff.after);
  apply_heat();
  nodes_->set_graph(shown_->graph.get());
  tabs_for_.reset();
  refresh_tabs();
  status_->setText(tr("Step %1 (%2): %3").arg(index + 1).arg(QString::fromStdString(step.step.pass),
                                                               QString::fromStdString(diff.summary)));
}

void MainWindow::refresh_tabs() {
  // The overview and text forms are built only when looked at, once per snapshot.
  const int tab = tabs_->currentIndex();
  if ((tab != OverviewTab && tab != TextTab) || tabs_for_ == shown_) return;
  tabs_for_ = shown_;
  if (!shown_) {
    overview_->clear();
    text_->clear();
    return;
  }
  overview_->setPlainText(QString::fromStdString(summary_to_text(summarize_model(*shown_))));
  text_->setPlainText(shown_->graph->total_node_count() <= kMaxTextNodes
                          ? QString::fromStdString(print_model(*shown_))
                          : tr("The text form is not shown for models of more than %1 nodes (this one has %2); "
                               "use kiln-cli dump.")
                                .arg(kMaxTextNodes)
                                .arg(shown_->graph->total_node_count()));
}

void MainWindow::apply_heat() {
  if (graph_->model() && graph_->model() == profile_->profiled_model())
    graph_->view()->set_heat(profile_->heat());
  else
    graph_->view()->set_heat({});
}

void MainWindow::show_profile() {
  profile_dock_->show();
  profile_dock_->raise();
}

void MainWindow::show_tab(int index) { tabs_->setCurrentIndex(index); }

int MainWindow::visible_node_rows() const { return proxy_->rowCount(); }

void MainWindow::set_node_filter(const QString& text) {
  proxy_->setFilterRegularExpression(QRegularExpression(text, QRegularExpression::CaseInsensitiveOption));
}

QStringList MainWindow::recent_files() const {
  return QSettings().value(QStringLiteral("recent")).toStringList();
}

void MainWindow::remember_recent(const QString& path) {
  QStringList recent = recent_files();
  const QString abs = QFileInfo(path).absoluteFilePath();
  recent.removeAll(abs);
  recent.prepend(abs);
  while (recent.size() > kMaxRecent) recent.removeLast();
  QSettings().setValue(QStringLiteral("recent"), recent);
  update_recent_menu();
}

void MainWindow::update_recent_menu() {
  recent_menu_->clear();
  const QStringList recent = recent_files();
  for (const QString& path : recent)
    recent_menu_->addAction(QFileInfo(path).fileName(), this, [this, path] { open_model(path); })->setToolTip(path);
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::log(const QString& text) {
  log_->appendPlainText(QStringLiteral("%1  %2").arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")), text));
}

void MainWindow::export_model() {
  if (!doc_->is_open()) return;
  const QString path = QFileDialog::getSaveFileName(this, tr("Export optimized model"), {}, tr("ONNX models (*.onnx)"));
  if (path.isEmpty()) return;
  QString error;
  if (doc_->save_model(path, &error))
    log(tr("Wrote %1 (%2 steps applied)").arg(path).arg(doc_->position()));
  else
    QMessageBox::warning(this, tr("Kiln"), tr("Could not export the model: %1").arg(error));
}

void MainWindow::export_recipe() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export recipe"), {}, tr("Recipes (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (doc_->save_recipe(path, &error))
    log(tr("Wrote recipe %1").arg(path));
  else
    QMessageBox::warning(this, tr("Kiln"), tr("Could not export the recipe: %1").arg(error));
}

void MainWindow::export_report() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export report"), {}, tr("Reports (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (doc_->save_report(path, &error))
    log(tr("Wrote report %1").arg(path));
  else
    QMessageBox::warning(this, tr("Kiln"), tr("Could not export the report: %1").arg(error));
}

bool MainWindow::offer_session_restore() {
  const std::optional<SessionState> s = SessionStore::load(doc_->session_file());
  if (!s || s->clean_exit || s->model_path.isEmpty() || !QFileInfo::exists(s->model_path)) return false;
  const auto answer = QMessageBox::question(
      this, tr("Kiln"),
      tr("Kiln did not close normally last time. Restore that session (%1, %2 of %3 steps applied)?")
          .arg(QFileInfo(s->model_path).fileName())
          .arg(s->position)
          .arg(s->recipe.find("steps") ? s->recipe.find("steps")->size() : 0));
  if (answer != QMessageBox::Yes) return false;
  doc_->restore(*s);
  return true;
}

void MainWindow::showEvent(QShowEvent* e) {
  QMainWindow::showEvent(e);
  if (size_docks_) QTimer::singleShot(0, this, std::exchange(size_docks_, nullptr));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const auto urls = e->mimeData()->urls();
  if (!urls.isEmpty() && urls.first().isLocalFile()) open_model(urls.first().toLocalFile());
}

void MainWindow::closeEvent(QCloseEvent* e) {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  doc_->mark_clean_exit();
  QMainWindow::closeEvent(e);
}

}  // namespace kiln
