#pragma once
// Replaces the pending steps with a loaded (or built-in) recipe's steps; applied steps stay.
#include <QUndoCommand>
#include <vector>

#include "views/document.h"

namespace kiln {

class LoadRecipeCommand : public QUndoCommand {
 public:
  LoadRecipeCommand(Document* doc, const passes::Recipe& recipe);
  void redo() override;
  void undo() override;

 private:
  Document* doc_;
  std::vector<passes::RecipeStep> other_;  // the steps not currently in the document
};

}  // namespace kiln
