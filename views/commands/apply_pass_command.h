#pragma once
// One applied recipe step. The pass already ran on the worker thread; the command holds its
// result (a snapshot and its report), so redo is instant and never re-runs the pass.
#include <QUndoCommand>

#include "views/document.h"

namespace kiln {

class ApplyPassCommand : public QUndoCommand {
 public:
  ApplyPassCommand(Document* doc, AppliedStep step);
  void redo() override;
  void undo() override;

 private:
  Document* doc_;
  AppliedStep step_;
};

}  // namespace kiln
