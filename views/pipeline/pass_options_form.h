#pragma once
// A form generated from a pass's declared options: a check box, spin box, line edit or combo
// box per option, with its summary as the tooltip and its range as the editor's limits, so an
// option is declared once (in the pass) and the GUI follows.
#include <QWidget>
#include <vector>

#include "core/util/json.h"
#include "passes/framework/pass.h"

class QFormLayout;
class QLabel;

namespace kiln {

class PassOptionsForm : public QWidget {
  Q_OBJECT
 public:
  explicit PassOptionsForm(QWidget* parent = nullptr);
  // Shows the options of `info` filled with `values` (a recipe step's options; defaults for the
  // rest). nullptr clears the form.
  void set_pass(const passes::PassInfo* info, const Json& values = Json::object());
  const passes::PassInfo* pass() const { return info_; }
  // The values that differ from the defaults, as a recipe step writes them.
  Json options() const;

 private:
  const passes::PassInfo* info_ = nullptr;
  QFormLayout* form_;
  QLabel* title_;
  std::vector<QWidget*> editors_;  // one per option, in declaration order
};

}  // namespace kiln
