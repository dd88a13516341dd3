#include "passes/framework/pass_manager.h"

#include <chrono>
#include <cmath>

#include "core/analysis/shape_inference.h"
#include "core/runtime/random_inputs.h"
#include "core/runtime/session.h"
#include "core/util/error.h"

namespace kiln::passes {
namespace {

// Fixed-point steps stop here even if the pass still reports changes (a pass that oscillates
// is a bug; this keeps it from hanging the workbench).
constexpr int kFixedPointCap = 16;

double elapsed_ms(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int64_t node_count(const Model& m) { return static_cast<int64_t>(m.graph->total_node_count()); }

void sort_all(Rewriter& rw) {
  for (Graph* g : rw.graphs()) g->topological_sort();
}

}  // namespace

Json NumericCheck::to_json() const {
  Json j = Json::object();
  j["ran"] = ran;
  if (ran) {
    j["passed"] = passed;
    j["max_abs_error"] = max_abs_error;
    j["max_rel_error"] = max_rel_error;
  }
  if (!detail.empty()) j["detail"] = detail;
  return j;
}

Json StepReport::to_json() const {
  Json j = Json::object();
  j["pass"] = pass;
  j["options"] = options;
  j["changed"] = changed;
  if (iterations > 1) j["iterations"] = iterations;
  j["ms"] = ms;
  j["nodes_before"] = nodes_before;
  j["nodes_after"] = nodes_after;
  Json st = Json::object();
  for (const auto& [k, v] : stats) st[k] = v;
  j["stats"] = std::move(st);
  j["changes"] = log.to_json(50);
  j["numeric_check"] = numeric.to_json();
  return j;
}

Json OptimizeReport::to_json() const {
  Json j = Json::object();
  j["version"] = 1;
  j["nodes_before"] = nodes_before;
  j["nodes_after"] = nodes_after;
  j["total_ms"] = total_ms;
  if (cancelled) j["cancelled"] = true;
  Json s = Json::array();
  for (const StepReport& r : steps) s.push_back(r.to_json());
  j["steps"] = std::move(s);
  return j;
}

PassManager::PassManager(ManagerOptions options) : options_(std::move(options)) {}
PassManager::~PassManager() = default;

StepReport PassManager::apply(Model& model, const PassDef& pass, const Options& options, bool until_fixed_point) {
  StepReport report;
  report.pass = pass.info.id;
  report.options = options.to_json();
  report.nodes_before = node_count(model);
  if (options_.verify_numerics) ensure_reference(model);

  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Model> snapshot;
  if (options_.rollback_on_failure) snapshot = model.clone();
  Stats total(pass.info);
  report.iterations = 0;
  try {
    for (int it = 0; it < (until_fixed_point ? kFixedPointCap : 1); ++it) {
      if (!shapes_current_) {
        // The model's own (possibly symbolic) input shapes: the numerical check's concrete
        // shapes must never be baked into the optimized model.
        infer_shapes(model);
        shapes_current_ = true;
      }
      Rewriter rw(model);
      Stats stats(pass.info);
      PassContext ctx{model, rw, options, stats};
      pass.run(ctx);
      ++report.iterations;
      for (const auto& [k, v] : stats.items()) total.add(k, v);
      if (!rw.changed()) break;
      report.changed = true;
      shapes_current_ = false;
      sort_all(rw);
      report.log.changes.insert(report.log.changes.end(), rw.log().changes.begin(), rw.log().changes.end());
      report.log.nodes_added += rw.log().nodes_added;
      report.log.nodes_removed += rw.log().nodes_removed;
      report.log.nodes_modified += rw.log().nodes_modified;
    }
    if (report.changed) {
      std::vector<std::string> problems = model.graph->verify();
      if (!problems.empty())
        fail("pass '", pass.info.id, "' left the graph inconsistent", snapshot ? " (step rolled back)" : "", ": ",
             problems.front());
    }
  } catch (...) {
    if (snapshot) model = std::move(*snapshot);
    shapes_current_ = false;
    throw;
  }
  report.ms = elapsed_ms(t0);
  report.stats = total.items();
  report.nodes_after = report.changed ? node_count(model) : report.nodes_before;
  if (options_.verify_numerics && report.changed) report.numeric = check(model);
  return report;
}

OptimizeReport PassManager::run(Model& model, const Recipe& recipe) {
  OptimizeReport out;
  out.nodes_before = node_count(model);
  const auto t0 = std::chrono::steady_clock::now();
  const size_t total = recipe.steps.size() * static_cast<size_t>(std::max(1, recipe.max_iterations));
  size_t index = 0;
  for (int round = 0; round < std::max(1, recipe.max_iterations); ++round) {
    bool any = false;
    for (const RecipeStep& step : recipe.steps) {
      const PassDef* def = PassRegistry::global().find(step.pass);
      if (!def) fail("recipe '", recipe.name, "': unknown pass '", step.pass, "'");
      if (options_.progress && !options_.progress(index, total, step.pass)) {
        out.cancelled = true;
        break;
      }
      ++index;
      StepReport r = apply(model, *def, def->info.parse_options(step.options), step.until_fixed_point);
      any = any || r.changed;
      out.steps.push_back(std::move(r));
    }
    if (!any || out.cancelled) break;
  }
  out.total_ms = elapsed_ms(t0);
  out.nodes_after = node_count(model);
  return out;
}

void PassManager::ensure_reference(const Model& model) {
  if (reference_) return;
  reference_.emplace();
  try {
    check_inputs_ = options_.inputs.empty() ? random_inputs(*model.graph, options_.input_shapes, options_.seed, 1)
                                            : options_.inputs;
    for (const auto& [name, t] : check_inputs_) check_shapes_[name] = t.shape();
    SessionOptions so;
    so.input_shapes = check_shapes_;
    Session s(model, so);
    *reference_ = s.run(check_inputs_);
  } catch (const Error& e) {
    reference_->clear();
    check_inputs_.clear();
    reference_error_ = e.what();
  }
}

NumericCheck PassManager::check(const Model& model) {
  NumericCheck c;
  if (!reference_error_.empty()) {
    c.detail = "the original model does not run on the reference runtime: " + reference_error_;
    return c;
  }
  std::vector<RtTensor> outs;
  try {
    SessionOptions so;
    so.input_shapes = check_shapes_;
    Session s(model, so);
    outs = s.run(check_inputs_);
  } catch (const Error& e) {
    c.ran = true;
    c.passed = false;
    c.detail = std::string("the optimized model does not run: ") + e.what();
    return c;
  }
  c.ran = true;
  if (outs.size() != reference_->size()) {
    c.passed = false;
    c.detail = "output count changed from " + std::to_string(reference_->size()) + " to " + std::to_string(outs.size());
    return c;
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    const RtTensor& got = outs[i];
    const RtTensor& want = (*reference_)[i];
    const std::string label = "output " + std::to_string(i);
    if (got.shape() != want.shape() || got.dtype() != want.dtype()) {
      c.passed = false;
      c.detail = label + ": type or shape changed";
      return c;
    }
    if (got.dtype() == DataType::String) {
      if (got.strings() != want.strings()) {
        c.passed = false;
        c.detail = label + ": strings differ";
      }
      continue;
    }
    const std::vector<double> a = got.to_tensor("a")->to_double();
    const std::vector<double> b = want.to_tensor("b")->to_double();
    const bool exact = !dtype_is_float(got.dtype());
    for (size_t k = 0; k < a.size(); ++k) {
      if (std::isnan(a[k]) && std::isnan(b[k])) continue;
      const double err = std::fabs(a[k] - b[k]);
      if (std::isnan(err)) {
        c.passed = false;
        c.detail = label + ": NaN where the original has a number (element " + std::to_string(k) + ")";
        continue;
      }
      c.max_abs_error = std::max(c.max_abs_error, err);
      c.max_rel_error = std::max(c.max_rel_error, err / std::max(std::fabs(b[k]), options_.atol));
      const bool ok = exact ? err == 0 : err <= options_.atol + options_.rtol * std::fabs(b[k]);
      if (!ok && c.passed) {
        c.passed = false;
        c.detail = label + " element " + std::to_string(k) + ": " + std::to_string(a[k]) + " vs " + std::to_string(b[k]);
      }
    }
  }
  return c;
}

}  // namespace kiln::passes
