#pragma once
// The Pipeline dock: the pass catalogue with option forms, the recipe as a step timeline, and the
// controls that run it one visible step at a time (apply next, apply all, cancel, undo, redo,
// load and save). Selecting an applied step previews its diff: the dock reports the selection and
// the main window shows that step's snapshot with the changed nodes marked.
#include <QWidget>

namespace kiln {

class Document;
class PassListModel;
class PassOptionsForm;
class RecipeModel;
}  // namespace kiln

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace kiln {

class PipelineDock : public QWidget {
  Q_OBJECT
 public:
  explicit PipelineDock(Document* doc, QWidget* parent = nullptr);

  // The step whose diff is previewed (-1: none, the graph shows the current model).
  int previewed_step() const { return previewed_; }
  bool show_before() const;
  void set_show_before(bool before);
  void select_step(int index);
  void select_pass(const QString& id);
  // Adds the selected pass with the form's options.
  void add_selected_pass();
  RecipeModel* recipe_model() const { return recipe_; }
  PassListModel* pass_model() const { return passes_; }

 signals:
  // index: the previewed step, -1 for none; before: show the graph before it (removed marked).
  void previewRequested(int index, bool before);

 private:
  void update_buttons();
  void show_step_details();
  void load_recipe_file();
  void save_recipe_file();

  Document* doc_;
  PassListModel* passes_;
  QSortFilterProxyModel* pass_filter_;
  RecipeModel* recipe_;
  QTableView* pass_view_;
  QTableView* steps_view_;
  PassOptionsForm* form_;
  QPushButton* add_;
  QPushButton* update_;
  QPushButton* remove_;
  QPushButton* apply_next_;
  QPushButton* apply_all_;
  QPushButton* cancel_;
  QPushButton* undo_;
  QPushButton* redo_;
  QCheckBox* before_;
  QProgressBar* progress_;
  QLabel* progress_label_;
  QPlainTextEdit* details_;
  int previewed_ = -1;
};

}  // namespace kiln
