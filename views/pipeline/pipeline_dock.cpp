#include "views/pipeline/pipeline_dock.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>

#include "views/document.h"
#include "views/pipeline/pass_list_model.h"
#include "views/pipeline/pass_options_form.h"
#include "views/pipeline/recipe_model.h"
#include "views/pipeline/step_diff.h"

namespace kiln {
namespace {

QTableView* make_table(QAbstractItemModel* model) {
  auto* t = new QTableView;
  t->setModel(model);
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setSelectionMode(QAbstractItemView::SingleSelection);
  t->verticalHeader()->hide();
  t->verticalHeader()->setDefaultSectionSize(22);
  t->horizontalHeader()->setStretchLastSection(true);
  t->setWordWrap(false);
  return t;
}

}  // namespace

PipelineDock::PipelineDock(Document* doc, QWidget* parent)
    : QWidget(parent),
      doc_(doc),
      passes_(new PassListModel(this)),
      pass_filter_(new QSortFilterProxyModel(this)),
      recipe_(new RecipeModel(doc, this)) {
  // Catalogue: filter, table, option form, add.
  pass_filter_->setSourceModel(passes_);
  pass_filter_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  pass_filter_->setFilterKeyColumn(-1);
  auto* filter = new QLineEdit;
  filter->setPlaceholderText(tr("Filter passes"));
  filter->setClearButtonEnabled(true);
  connect(filter, &QLineEdit::textChanged, pass_filter_, &QSortFilterProxyModel::setFilterFixedString);
  pass_view_ = make_table(pass_filter_);
  pass_view_->horizontalHeader()->setSectionResizeMode(PassListModel::Id, QHeaderView::ResizeToContents);
  pass_view_->horizontalHeader()->setSectionResizeMode(PassListModel::Category, QHeaderView::ResizeToContents);
  form_ = new PassOptionsForm;
  form_->set_pass(nullptr);
  add_ = new QPushButton(tr("Add to recipe"));
  update_ = new QPushButton(tr("Update step options"));
  update_->setToolTip(tr("Give the selected pending step the options in the form"));
  auto* builtin = new QComboBox;
  builtin->addItem(tr("Built-in recipe..."));
  builtin->addItem(QStringLiteral("portable"));
  builtin->addItem(QStringLiteral("kiln"));
  builtin->setToolTip(tr("Replace the pending steps with a built-in recipe"));
  connect(builtin, &QComboBox::activated, this, [this, builtin](int i) {
    if (i == 0) return;
    doc_->load_recipe(passes::Recipe::builtin(builtin->itemText(i).toStdString()));
    builtin->setCurrentIndex(0);
  });
  auto* catalogue = new QWidget;
  auto* cl = new QVBoxLayout(catalogue);
  cl->setContentsMargins(0, 0, 0, 0);
  cl->addWidget(filter);
  cl->addWidget(pass_view_, 1);
  cl->addWidget(form_);
  auto* add_row = new QHBoxLayout;
  add_row->addWidget(add_);
  add_row->addWidget(update_);
  add_row->addWidget(builtin);
  cl->addLayout(add_row);

  // Timeline and its controls.
  steps_view_ = make_table(recipe_);
  steps_view_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  steps_view_->horizontalHeader()->setStretchLastSection(true);
  apply_next_ = new QPushButton(tr("Apply next"));
  apply_all_ = new QPushButton(tr("Apply all"));
  cancel_ = new QPushButton(tr("Cancel"));
  undo_ = new QPushButton(tr("Undo"));
  redo_ = new QPushButton(tr("Redo"));
  remove_ = new QPushButton(tr("Remove"));
  auto* load = new QPushButton(tr("Load..."));
  auto* save = new QPushButton(tr("Save..."));
  apply_next_->setToolTip(tr("Run the next pending step (off the GUI thread)"));
  apply_all_->setToolTip(tr("Run every pending step, one undoable step each"));
  remove_->setToolTip(tr("Remove the selected pending step"));
  load->setToolTip(tr("Load a recipe JSON file (replaces the pending steps)"));
  save->setToolTip(tr("Save the whole recipe as JSON"));
  // Two rows: running the recipe, then editing it; one row would make the dock too wide.
  auto* buttons = new QGridLayout;
  int column = 0;
  for (QPushButton* b : {apply_next_, apply_all_, cancel_, undo_}) buttons->addWidget(b, 0, column++);
  column = 0;
  for (QPushButton* b : {redo_, remove_, load, save}) buttons->addWidget(b, 1, column++);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setTextVisible(false);
  progress_->setMaximumHeight(10);
  progress_label_ = new QLabel;
  before_ = new QCheckBox(tr("Show the graph before the step (removed nodes)"));
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setMaximumBlockCount(400);
  details_->setPlaceholderText(tr("Select an applied step to preview what it changed."));
  auto* timeline = new QWidget;
  auto* tl = new QVBoxLayout(timeline);
  tl->setContentsMargins(0, 0, 0, 0);
  tl->addLayout(buttons);
  tl->addWidget(progress_);
  tl->addWidget(progress_label_);
  tl->addWidget(steps_view_, 2);
  tl->addWidget(before_);
  tl->addWidget(details_, 1);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(timeline);
  split->addWidget(catalogue);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(split);

  connect(pass_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            const QString id = current.data(PassListModel::PassIdRole).toString();
            form_->set_pass(id.isEmpty() ? nullptr : &passes::PassRegistry::global().find(id.toStdString())->info);
            update_buttons();
          });
  connect(pass_view_, &QTableView::doubleClicked, this, &PipelineDock::add_selected_pass);
  connect(add_, &QPushButton::clicked, this, &PipelineDock::add_selected_pass);
  connect(update_, &QPushButton::clicked, this, [this] {
    const int row = steps_view_->currentIndex().row();
    if (form_->pass() && row >= 0 && doc_->steps()[static_cast<size_t>(row)].pass == form_->pass()->id)
      doc_->set_step_options(row, form_->options());
  });
  connect(apply_next_, &QPushButton::clicked, doc_, &Document::apply_next);
  connect(apply_all_, &QPushButton::clicked, doc_, &Document::apply_all);
  connect(cancel_, &QPushButton::clicked, doc_, &Document::cancel);
  connect(undo_, &QPushButton::clicked, doc_, &Document::undo);
  connect(redo_, &QPushButton::clicked, doc_, &Document::redo);
  connect(remove_, &QPushButton::clicked, this, [this] { doc_->remove_step(steps_view_->currentIndex().row()); });
  connect(load, &QPushButton::clicked, this, &PipelineDock::load_recipe_file);
  connect(save, &QPushButton::clicked, this, &PipelineDock::save_recipe_file);
  connect(before_, &QCheckBox::toggled, this, [this] {
    if (previewed_ >= 0) emit previewRequested(previewed_, before_->isChecked());
  });
  connect(steps_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this] { show_step_details(); });
  connect(doc_, &Document::recipeChanged, this, [this] {
    // The model was reset: the preview follows the newest applied step, as a person stepping
    // through the pipeline expects to see what the step just did.
    const int last = doc_->position() - 1;
    if (last >= 0)
      select_step(last);
    else
      show_step_details();
    update_buttons();
  });
  connect(doc_, &Document::busyChanged, this, &PipelineDock::update_buttons);
  connect(doc_->undo_stack(), &QUndoStack::indexChanged, this, &PipelineDock::update_buttons);
  connect(doc_, &Document::progress, this, [this](int done, int total, const QString& pass) {
    progress_->setRange(0, total);
    progress_->setValue(done);
    progress_label_->setText(pass.isEmpty() ? QString() : tr("Running %1 (step %2 of %3)...").arg(pass).arg(done + 1).arg(total));
  });
  update_buttons();
}

bool PipelineDock::show_before() const { return before_->isChecked(); }

void PipelineDock::set_show_before(bool before) { before_->setChecked(before); }

void PipelineDock::update_buttons() {
  const bool busy = doc_->busy();
  const bool open = doc_->is_open();
  const int row = steps_view_->currentIndex().row();
  add_->setEnabled(!busy && form_->pass());
  update_->setEnabled(!busy && form_->pass() && row >= doc_->position() &&
                      row < static_cast<int>(doc_->steps().size()) &&
                      doc_->steps()[static_cast<size_t>(row)].pass == form_->pass()->id);
  remove_->setEnabled(!busy && row >= doc_->position() && row < static_cast<int>(doc_->steps().size()));
  apply_next_->setEnabled(!busy && open && doc_->pending_count() > 0);
  apply_all_->setEnabled(!busy && open && doc_->pending_count() > 0);
  cancel_->setEnabled(busy);
  undo_->setEnabled(!busy && doc_->undo_stack()->canUndo());
  redo_->setEnabled(!busy && doc_->undo_stack()->canRedo());
  undo_->setToolTip(doc_->undo_stack()->undoText().isEmpty() ? tr("Undo") : tr("Undo %1").arg(doc_->undo_stack()->undoText()));
  redo_->setToolTip(doc_->undo_stack()->redoText().isEmpty() ? tr("Redo") : tr("Redo %1").arg(doc_->undo_stack()->redoText()));
  if (!busy) progress_label_->clear();
}

void PipelineDock::select_step(int index) {
  steps_view_->setCurrentIndex(recipe_->index(index, 0));
  show_step_details();
}

void PipelineDock::select_pass(const QString& id) {
  for (int r = 0; r < pass_filter_->rowCount(); ++r)
    if (pass_filter_->index(r, 0).data(PassListModel::PassIdRole).toString() == id) {
      pass_view_->setCurrentIndex(pass_filter_->index(r, 0));
      return;
    }
}

void PipelineDock::add_selected_pass() {
  if (!form_->pass()) return;
  doc_->add_step({form_->pass()->id, form_->options(), false});
}

void PipelineDock::show_step_details() {
  const int row = steps_view_->currentIndex().row();
  const int previous = previewed_;
  previewed_ = row >= 0 && row < doc_->position() ? row : -1;
  if (row >= doc_->position() && row < static_cast<int>(doc_->steps().size())) {
    // A pending step: its options go into the form, ready to be changed.
    const passes::RecipeStep& s = doc_->steps()[static_cast<size_t>(row)];
    select_pass(QString::fromStdString(s.pass));
    form_->set_pass(&passes::PassRegistry::global().find(s.pass)->info, s.options);
    details_->setPlainText(tr("Step %1, %2: pending.").arg(row + 1).arg(QString::fromStdString(s.pass)));
  } else if (previewed_ >= 0) {
    const AppliedStep& a = doc_->applied()[static_cast<size_t>(previewed_)];
    const StepDiff d = diff_step(a.report.log, *doc_->snapshot(previewed_), *a.after);
    QString text = tr("Step %1, %2: %3 → %4 nodes in %5 ms\n")
                       .arg(previewed_ + 1)
                       .arg(QString::fromStdString(a.step.pass))
                       .arg(a.report.nodes_before)
                       .arg(a.report.nodes_after)
                       .arg(a.report.ms, 0, 'f', 1);
    text += tr("Diff: %1\n").arg(QString::fromStdString(d.summary));
    if (!a.step.options.is_null() && a.step.options.size() > 0)
      text += tr("Options: %1\n").arg(QString::fromStdString(a.step.options.dump(-1)));
    text += tr("Statistics:\n");
    for (const auto& [name, v] : a.report.stats) text += QStringLiteral("  %1 = %2\n").arg(QString::fromStdString(name)).arg(v);
    text += tr("Changes (%1):\n").arg(a.report.log.changes.size());
    size_t shown = 0;
    for (const passes::Change& c : a.report.log.changes) {
      if (++shown > 200) {
        text += tr("  ... %1 more\n").arg(a.report.log.changes.size() - 200);
        break;
      }
      static const char* kinds[] = {"add node", "remove node", "rewire", "set attribute", "add value", "remove value", "move"};
      text += QStringLiteral("  %1 %2 %3%4\n")
                  .arg(QString::fromUtf8(kinds[static_cast<int>(c.kind)]))
                  .arg(c.node ? QStringLiteral("#%1").arg(c.node) : QString())
                  .arg(QString::fromStdString(c.op))
                  .arg(c.detail.empty() ? QString() : QStringLiteral(" (") + QString::fromStdString(c.detail) + QStringLiteral(")"));
    }
    details_->setPlainText(text);
  } else {
    details_->clear();
  }
  update_buttons();
  if (previewed_ != previous || previewed_ >= 0) emit previewRequested(previewed_, before_->isChecked());
}

void PipelineDock::load_recipe_file() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Load recipe"), {}, tr("Recipes (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  try {
    doc_->load_recipe(passes::Recipe::load(path.toStdString()));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Kiln"), tr("Could not load the recipe: %1").arg(QString::fromStdString(e.what())));
  }
}

void PipelineDock::save_recipe_file() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save recipe"), {}, tr("Recipes (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!doc_->save_recipe(path, &error)) QMessageBox::warning(this, tr("Kiln"), tr("Could not save the recipe: %1").arg(error));
}

}  // namespace kiln
