#pragma once
// Removes a pending step from the recipe.
#include <QUndoCommand>

#include "views/document.h"

namespace kiln {

class RemoveRecipeStepCommand : public QUndoCommand {
 public:
  RemoveRecipeStepCommand(Document* doc, int index);
  void redo() override;
  void undo() override;

 private:
  Document* doc_;
  int index_;
  passes::RecipeStep step_;
};

}  // namespace kiln
