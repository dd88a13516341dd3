#include "views/commands/add_recipe_step_command.h"

#include <QCoreApplication>

namespace kiln {

AddRecipeStepCommand::AddRecipeStepCommand(Document* doc, int index, passes::RecipeStep step)
    : doc_(doc), index_(index), step_(std::move(step)) {
  setText(QCoreApplication::translate("kiln", "add %1").arg(QString::fromStdString(step_.pass)));
}

void AddRecipeStepCommand::redo() { doc_->insert_step_raw(index_, step_); }

void AddRecipeStepCommand::undo() { step_ = doc_->erase_step_raw(index_); }

}  // namespace kiln
