#include "views/commands/remove_recipe_step_command.h"

#include <QCoreApplication>

namespace kiln {

RemoveRecipeStepCommand::RemoveRecipeStepCommand(Document* doc, int index)
    : doc_(doc), index_(index), step_(doc->steps()[static_cast<size_t>(index)]) {
  setText(QCoreApplication::translate("kiln", "remove %1").arg(QString::fromStdString(step_.pass)));
}

void RemoveRecipeStepCommand::redo() { step_ = doc_->erase_step_raw(index_); }

void RemoveRecipeStepCommand::undo() { doc_->insert_step_raw(index_, step_); }

}  // namespace kiln
