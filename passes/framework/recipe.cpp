#include "passes/framework/recipe.h"

#include <fstream>
#include <sstream>

#include "core/util/error.h"
#include "passes/framework/pass.h"

namespace kiln::passes {
namespace {

// The built-in recipes, in the same JSON a user writes. Cleanup first (so fusions see constants,
// resolved shape chains and no Identity/Dropout), then fusions from the largest patterns down
// (a written-out LayerNorm must be recognised before its Add is taken as a Conv bias), then
// reordering, which exposes new merges, then cleanup again for what the others freed. The whole
// list runs again while it still changes something (at most three rounds).
constexpr const char* kPortable = R"({
  "version": 1, "name": "portable", "max_iterations": 3,
  "steps": [
    {"pass": "fold-constants"},
    {"pass": "fold-shape-chains"},
    {"pass": "eliminate-no-ops"},
    {"pass": "eliminate-common-subexpressions"},
    {"pass": "dedup-initializers"},
    {"pass": "fuse-layer-norm"},
    {"pass": "fuse-rms-norm"},
    {"pass": "fuse-gelu"},
    {"pass": "fuse-hardswish"},
    {"pass": "fuse-hardsigmoid"},
    {"pass": "fuse-conv-batchnorm"},
    {"pass": "fuse-conv-scale-bias"},
    {"pass": "fuse-pad-into-conv"},
    {"pass": "fuse-matmul-add-into-gemm"},
    {"pass": "fuse-transpose-into-gemm"},
    {"pass": "merge-transposes"},
    {"pass": "merge-reshapes"},
    {"pass": "merge-slices"},
    {"pass": "merge-concats"},
    {"pass": "sink-transposes"},
    {"pass": "reorder-reshape-unary"},
    {"pass": "hoist-slices"},
    {"pass": "move-casts"},
    {"pass": "fold-constants"},
    {"pass": "eliminate-no-ops"},
    {"pass": "eliminate-dead-code"}
  ]
})";

constexpr const char* kKiln = R"({
  "version": 1, "name": "kiln", "max_iterations": 3,
  "steps": [
    {"pass": "fold-constants"},
    {"pass": "fold-shape-chains"},
    {"pass": "eliminate-no-ops"},
    {"pass": "eliminate-common-subexpressions"},
    {"pass": "dedup-initializers"},
    {"pass": "fuse-layer-norm", "options": {"allow_kiln_ops": true}},
    {"pass": "fuse-rms-norm", "options": {"allow_kiln_ops": true}},
    {"pass": "fuse-gelu", "options": {"allow_kiln_ops": true}},
    {"pass": "fuse-hardswish", "options": {"allow_kiln_ops": true}},
    {"pass": "fuse-hardsigmoid"},
    {"pass": "fuse-silu", "options": {"allow_kiln_ops": true}},
    {"pass": "fuse-conv-batchnorm"},
    {"pass": "fuse-conv-scale-bias"},
    {"pass": "fuse-pad-into-conv"},
    {"pass": "fuse-attention"},
    {"pass": "fuse-skip-layer-norm", "options": {"allow_kiln_ops": true}},
    {"pass": "fuse-conv-activation"},
    {"pass": "fuse-gemm-activation"},
    {"pass": "fuse-matmul-add-into-gemm"},
    {"pass": "fuse-transpose-into-gemm"},
    {"pass": "merge-transposes"},
    {"pass": "merge-reshapes"},
    {"pass": "merge-slices"},
    {"pass": "merge-concats"},
    {"pass": "sink-transposes"},
    {"pass": "reorder-reshape-unary"},
    {"pass": "hoist-slices"},
    {"pass": "move-casts"},
    {"pass": "fold-constants"},
    {"pass": "eliminate-no-ops"},
    {"pass": "eliminate-dead-code"}
  ]
})";

}  // namespace

Recipe Recipe::parse(const std::string& text, const std::string& source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Error& e) {
    fail(source, ": ", e.what());
  }
  if (!j.is_object()) fail(source, ": a recipe is a JSON object");
  const Json* version = j.find("version");
  if (!version || !version->is_int()) fail(source, ": \"version\" is missing (this Kiln reads version ", std::to_string(kVersion), ")");
  if (version->as_int() != kVersion)
    fail(source, ": recipe version ", std::to_string(version->as_int()), " is not supported (this Kiln reads version ",
         std::to_string(kVersion), ")");
  for (const auto& [key, v] : j.as_object())
    if (key != "version" && key != "name" && key != "max_iterations" && key != "steps")
      fail(source, ": unknown field \"", key, "\"");
  Recipe r;
  if (const Json* n = j.find("name")) {
    if (!n->is_string()) fail(source, ": \"name\" must be a string");
    r.name = n->as_string();
  }
  if (const Json* m = j.find("max_iterations")) {
    if (!m->is_int() || m->as_int() < 1 || m->as_int() > 100) fail(source, ": \"max_iterations\" must be an integer in [1, 100]");
    r.max_iterations = static_cast<int>(m->as_int());
  }
  const Json* steps = j.find("steps");
  if (!steps || !steps->is_array()) fail(source, ": \"steps\" must be an array");
  size_t k = 0;
  for (const Json& s : steps->as_array()) {
    const std::string where = source + ": step " + std::to_string(++k);
    if (!s.is_object()) fail(where, ": must be an object {\"pass\": ..., \"options\": {...}}");
    RecipeStep step;
    for (const auto& [key, v] : s.as_object()) {
      if (key == "pass") {
        if (!v.is_string()) fail(where, ": \"pass\" must be a string");
        step.pass = v.as_string();
      } else if (key == "options") {
        step.options = v;
      } else if (key == "until_fixed_point") {
        if (!v.is_bool()) fail(where, ": \"until_fixed_point\" must be true or false");
        step.until_fixed_point = v.as_bool();
      } else {
        fail(where, ": unknown field \"", key, "\"");
      }
    }
    if (step.pass.empty()) fail(where, ": \"pass\" is missing");
    const PassDef* def = PassRegistry::global().find(step.pass);
    if (!def) fail(where, ": unknown pass '", step.pass, "' (kiln-cli passes lists them)");
    try {
      def->info.parse_options(step.options);
    } catch (const Error& e) {
      fail(where, ": ", e.what());
    }
    r.steps.push_back(std::move(step));
  }
  return r;
}

Recipe Recipe::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open recipe");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

Recipe Recipe::from_pass_list(const std::string& list) {
  Recipe r;
  r.name = "command line";
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string id = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (id.empty()) fail("--passes: empty pass name in '", list, "'");
    if (!PassRegistry::global().find(id)) fail("--passes: unknown pass '", id, "' (kiln-cli passes lists them)");
    r.steps.push_back({id, Json::object(), false});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return r;
}

Recipe Recipe::builtin(const std::string& name) {
  if (name == "portable") return parse(kPortable, "built-in recipe 'portable'");
  if (name == "kiln") return parse(kKiln, "built-in recipe 'kiln'");
  fail("--target: '", name, "' is not one of portable, kiln");
}

Json Recipe::to_json() const {
  Json j = Json::object();
  j["version"] = kVersion;
  j["name"] = name;
  j["max_iterations"] = max_iterations;
  Json s = Json::array();
  for (const RecipeStep& st : steps) {
    Json o = Json::object();
    o["pass"] = st.pass;
    if (st.options.is_object() && st.options.size() > 0) o["options"] = st.options;
    if (st.until_fixed_point) o["until_fixed_point"] = true;
    s.push_back(std::move(o));
  }
  j["steps"] = std::move(s);
  return j;
}

}  // namespace kiln::passes
