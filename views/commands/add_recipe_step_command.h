#pragma once
// Adds a pass to the recipe as a pending step.
#include <QUndoCommand>

#include "views/document.h"

namespace kiln {

class AddRecipeStepCommand : public QUndoCommand {
 public:
  AddRecipeStepCommand(Document* doc, int index, passes::RecipeStep step);
  void redo() override;
  void undo() override;

 private:
  Document* doc_;
  int index_;
  passes::RecipeStep step_;
};

}  // namespace kiln
