#include "views/commands/load_recipe_command.h"

#include <QCoreApplication>

namespace kiln {

LoadRecipeCommand::LoadRecipeCommand(Document* doc, const passes::Recipe& recipe) : doc_(doc), other_(recipe.steps) {
  setText(QCoreApplication::translate("kiln", "load recipe %1").arg(QString::fromStdString(recipe.name)));
}

void LoadRecipeCommand::redo() { other_ = doc_->replace_pending_raw(std::move(other_)); }

void LoadRecipeCommand::undo() { other_ = doc_->replace_pending_raw(std::move(other_)); }

}  // namespace kiln
