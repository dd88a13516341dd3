#include "views/commands/apply_pass_command.h"

#include <QCoreApplication>

namespace kiln {

ApplyPassCommand::ApplyPassCommand(Document* doc, AppliedStep step) : doc_(doc), step_(std::move(step)) {
  setText(QCoreApplication::translate("kiln", "apply %1").arg(QString::fromStdString(step_.step.pass)));
}

void ApplyPassCommand::redo() { doc_->push_applied_raw(step_); }

void ApplyPassCommand::undo() { step_ = doc_->pop_applied_raw(); }

}  // namespace kiln
