#pragma once
// A recipe: an ordered list of {pass, options} steps, as JSON with a version. The GUI's step
// history is a recipe; `kiln-cli optimize --recipe` replays one.
//
//   {"version": 1, "name": "portable", "max_iterations": 3,
//    "steps": [{"pass": "fold-constants", "options": {"max_bytes": 1048576}},
//              {"pass": "eliminate-dead-code", "until_fixed_point": true}]}
#include <string>
#include <vector>

#include "core/util/json.h"

namespace kiln::passes {

struct RecipeStep {
  std::string pass;
  Json options = Json::object();
  bool until_fixed_point = false;  // repeat this pass while it changes something (capped)
};

struct Recipe {
  static constexpr int kVersion = 1;
  std::string name;
  // The whole recipe runs again while it changes something, at most this many times.
  int max_iterations = 1;
  std::vector<RecipeStep> steps;

  // Checks the version, every pass id and every option against the registry; errors name the
  // step (by number and pass) and the reason.
  static Recipe parse(const std::string& text, const std::string& source);
  static Recipe load(const std::string& path);
  // "a,b,c": each pass with default options.
  static Recipe from_pass_list(const std::string& list);
  // The built-in recipes: "portable" (standard ONNX ops only) and "kiln" (also Kiln's fused ops).
  static Recipe builtin(const std::string& name);
  Json to_json() const;
};

}  // namespace kiln::passes
