#pragma once
// The workbench session on disk: which model is open, the recipe and how many of its steps are
// applied. The document rewrites it after every change and marks it clean on a normal exit, so
// after a crash the window can offer to put the user back exactly where they were.
#include <QString>
#include <optional>

#include "core/util/json.h"

namespace kiln {

struct SessionState {
  QString model_path;
  Json recipe = Json::object();  // a recipe as JSON (passes/framework/recipe.h)
  int position = 0;              // steps applied
  bool clean_exit = true;
};

class SessionStore {
 public:
  // $KILN_SESSION_FILE when set (tests use it), else session.json in the app data folder.
  static QString default_path();
  static bool save(const QString& path, const SessionState& state, QString* error = nullptr);
  // nullopt when there is no session file or it cannot be read.
  static std::optional<SessionState> load(const QString& path);
};

}  // namespace kiln
