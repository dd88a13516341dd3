#include "views/commands/set_step_options_command.h"

#include <QCoreApplication>

namespace kiln {

SetStepOptionsCommand::SetStepOptionsCommand(Document* doc, int index, Json options)
    : doc_(doc), index_(index), before_(doc->steps()[static_cast<size_t>(index)].options), after_(std::move(options)) {
  setText(QCoreApplication::translate("kiln", "set options of %1")
              .arg(QString::fromStdString(doc->steps()[static_cast<size_t>(index)].pass)));
}

void SetStepOptionsCommand::redo() { doc_->set_options_raw(index_, after_); }

void SetStepOptionsCommand::undo() { doc_->set_options_raw(index_, before_); }

}  // namespace kiln
