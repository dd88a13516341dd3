#pragma once
// Changes the options of a pending step.
#include <QUndoCommand>

#include "views/document.h"

namespace kiln {

class SetStepOptionsCommand : public QUndoCommand {
 public:
  SetStepOptionsCommand(Document* doc, int index, Json options);
  void redo() override;
  void undo() override;

 private:
  Document* doc_;
  int index_;
  Json before_, after_;
};

}  // namespace kiln
