#include "views/main_window.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QElapsedTimer>
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
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include "core/analysis/model_summary.h"
#include "core/analysis/shape_inference.h"
#include "core/ir/text_format.h"
#include "core/onnx/onnx_import.h"
#include "views/node_table_model.h"

namespace kiln {

struct MainWindow::LoadResult {
  std::unique_ptr<Model> model;
  std::string summary;
  std::string text;
  std::string error;
  qint64 millis = 0;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("Kiln"));
  setAcceptDrops(true);
  resize(1200, 800);

  const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
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
  tabs_->addTab(overview_, tr("Overview"));
  tabs_->addTab(nodes_page, tr("Nodes"));
  tabs_->addTab(text_, tr("Text"));
  setCentralWidget(tabs_);

  busy_ = new QProgressBar;
  busy_->setRange(0, 0);  // indeterminate: import has no meaningful percentage
  busy_->setMaximumWidth(160);
  busy_->hide();
  status_ = new QLabel;
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(busy_);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open..."), QKeySequence::Open, this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Open model"), {}, tr("ONNX models (*.onnx);;All files (*)"));
    if (!path.isEmpty()) open_model(path);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
}

MainWindow::~MainWindow() = default;

void MainWindow::open_model(const QString& path) {
  if (loading_) return;
  loading_ = true;
  busy_->show();
  status_->setText(tr("Loading %1 ...").arg(path));
  auto result = std::make_shared<LoadResult>();
  std::string p = path.toStdString();
  QThread* worker = QThread::create([result, p] {
    QElapsedTimer timer;
    timer.start();
    try {
      result->model = std::make_unique<Model>(load_model(p));
      result->summary = summary_to_text(summarize_model(*result->model));
      infer_shapes(*result->model);
      result->text = print_model(*result->model);
    } catch (const std::exception& e) {
      result->error = e.what();
      result->model.reset();
    }
    result->millis = timer.elapsed();
  });
  connect(worker, &QThread::finished, this, [this, worker, path, result] {
    worker->deleteLater();
    show_result(path, result);
  });
  worker->start();
}

void MainWindow::show_result(const QString& path, std::shared_ptr<LoadResult> r) {
  loading_ = false;
  busy_->hide();
  if (!r->model) {
    status_->setText(tr("Could not open %1").arg(path));
    QString msg = QString::fromStdString(r->error);
    if (isVisible()) QMessageBox::warning(this, tr("Kiln"), msg);
    emit failed(msg);
    return;
  }
  nodes_->set_graph(nullptr);
  model_ = std::move(r->model);
  nodes_->set_graph(model_->graph.get());
  table_->resizeColumnsToContents();
  overview_->setPlainText(QString::fromStdString(r->summary));
  text_->setPlainText(QString::fromStdString(r->text));
  setWindowTitle(tr("Kiln — %1").arg(QFileInfo(path).fileName()));
  status_->setText(tr("%1: %2 nodes, loaded in %3 ms")
                       .arg(QFileInfo(path).fileName())
                       .arg(model_->graph->total_node_count())
                       .arg(r->millis));
  emit loaded(path);
}

void MainWindow::show_tab(int index) { tabs_->setCurrentIndex(index); }

int MainWindow::visible_node_rows() const { return proxy_->rowCount(); }

void MainWindow::set_node_filter(const QString& text) {
  proxy_->setFilterRegularExpression(QRegularExpression(text, QRegularExpression::CaseInsensitiveOption));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const auto urls = e->mimeData()->urls();
  if (!urls.isEmpty() && urls.first().isLocalFile()) open_model(urls.first().toLocalFile());
}

}  // namespace kiln
