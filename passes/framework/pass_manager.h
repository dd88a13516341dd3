#pragma once
// Applies passes to a model one step at a time: shapes inferred before each pass that changed
// something since the last inference, the pass run through a Rewriter, a structural verify()
// after every step (a failing step is rolled back and reported), per-step timing, statistics and
// change log, and optionally a numerical check of every step against the original model's
// outputs on seeded random (or given) inputs.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/runtime/rt_tensor.h"
#include "core/util/json.h"
#include "passes/framework/pass.h"
#include "passes/framework/recipe.h"
#include "passes/framework/rewriter.h"

namespace kiln::passes {

struct NumericCheck {
  bool ran = false;
  bool passed = true;
  double max_abs_error = 0;
  double max_rel_error = 0;  // |a-b| / max(|b|, atol) over elements, worst case
  std::string detail;        // why it did not run, or which output differs
  Json to_json() const;
};

struct StepReport {
  std::string pass;
  Json options;
  bool changed = false;
  int iterations = 1;  // > 1 for fixed-point steps
  double ms = 0;
  int64_t nodes_before = 0, nodes_after = 0;
  std::vector<std::pair<std::string, int64_t>> stats;
  ChangeLog log;
  NumericCheck numeric;
  Json to_json() const;
};

struct ManagerOptions {
  bool verify_numerics = false;
  // Snapshot the model before each step and restore it when the step fails. Off by default: a
  // snapshot per step dominates the cost on large graphs, the CLI never writes a failed result,
  // and the GUI keeps its own per-step snapshots (its undo history) anyway.
  bool rollback_on_failure = false;
  double rtol = 1e-4, atol = 1e-5;
  uint64_t seed = 0;
  // Concrete shapes for the numerical check's inputs (unknown dims default to 1). Passes never
  // see them: they work on the model's declared, possibly symbolic, shapes.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Given input data for the numerical check instead of random data.
  std::map<std::string, RtTensor> inputs;
  // Called before each step: (index, total, pass id). Returning false cancels before that step.
  std::function<bool(size_t, size_t, const std::string&)> progress;
};

struct OptimizeReport {
  int64_t nodes_before = 0, nodes_after = 0;
  double total_ms = 0;
  bool cancelled = false;
  std::vector<StepReport> steps;
  Json to_json() const;
};

class PassManager {
 public:
  explicit PassManager(ManagerOptions options = {});
  ~PassManager();

  // One pass on `model`, in place. A structural failure throws kiln::Error naming the pass and the
  // problem (the model is restored first with rollback_on_failure); a failed numerical check is
  // reported, not thrown.
  StepReport apply(Model& model, const PassDef& pass, const Options& options, bool until_fixed_point = false);
  // Every step of a recipe in order (the whole recipe again while it changes something, up to
  // recipe.max_iterations times).
  OptimizeReport run(Model& model, const Recipe& recipe);

 private:
  void ensure_reference(const Model& model);
  NumericCheck check(const Model& model);
  ManagerOptions options_;
  bool shapes_current_ = false;
  std::optional<std::vector<RtTensor>> reference_;
  std::string reference_error_;  // why the original model could not be run, if it could not
  std::map<std::string, RtTensor> check_inputs_;
  std::map<std::string, std::vector<int64_t>> check_shapes_;
};

}  // namespace kiln::passes
