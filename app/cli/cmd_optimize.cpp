// kiln-cli optimize: applies a recipe (built-in by target, a recipe file, or a pass list) step by
// step, prints what each step did, optionally checks every step numerically, and writes the model.
#include <charconv>
#include <cstdio>
#include <fstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/ir/kiln_domain.h"
#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"
#include "passes/framework/pass_manager.h"

namespace kiln::cli {
namespace {

// Ops outside the standard ONNX domains the model uses: a portable result must have none beyond
// those the input already had.
std::vector<std::string> kiln_ops(const Graph& g) {
  std::vector<std::string> out;
  g.for_each_node([&](Node* n) {
    if (n->domain == kKilnDomain) out.push_back(n->op_type);
    for (Graph* sub : n->subgraphs())
      for (std::string& s : kiln_ops(*sub)) out.push_back(std::move(s));
  });
  return out;
}

std::string stats_text(const passes::StepReport& r) {
  std::string s;
  for (const auto& [k, v] : r.stats)
    if (v) s += (s.empty() ? "" : ", ") + k + "=" + std::to_string(v);
  return s;
}

}  // namespace

int run_optimize(const std::vector<std::string>& argv) {
  Args args("optimize", argv, {"--verify"},
            {"-o", "--recipe", "--passes", "--target", "--report", "--shape", "--seed"});
  const std::string& path = args.one_positional("MODEL path");
  const std::optional<std::string> out = args.get("-o");
  if (!out) fail("optimize: -o OUT.onnx is required");
  if (args.get("--recipe") && args.get("--passes")) fail("optimize: give --recipe or --passes, not both");
  const std::string target = args.get("--target").value_or(args.get("--recipe") || args.get("--passes") ? "kiln" : "portable");
  if (target != "portable" && target != "kiln") fail("--target: '", target, "' is not one of portable, kiln");

  passes::Recipe recipe = args.get("--recipe")   ? passes::Recipe::load(*args.get("--recipe"))
                          : args.get("--passes") ? passes::Recipe::from_pass_list(*args.get("--passes"))
                                                 : passes::Recipe::builtin(target);

  passes::ManagerOptions mo;
  mo.verify_numerics = args.flag("--verify");
  for (const std::string& s : args.all("--shape")) {
    auto [name, dims] = split_assignment(s, "--shape");
    mo.input_shapes[name] = parse_dims(dims, "--shape");
  }
  if (auto s = args.get("--seed")) {
    uint64_t v = 0;
    auto r = std::from_chars(s->data(), s->data() + s->size(), v);
    if (r.ec != std::errc() || r.ptr != s->data() + s->size()) fail("--seed: '", *s, "' is not a non-negative integer");
    mo.seed = v;
  }

  Model model = load_model(path);
  const size_t kiln_ops_before = kiln_ops(*model.graph).size();
  passes::PassManager pm(mo);
  const passes::OptimizeReport report = pm.run(model, recipe);

  std::printf("recipe '%s': %zu steps\n", recipe.name.c_str(), report.steps.size());
  std::printf("%4s  %-34s %8s %8s %9s  %s\n", "step", "pass", "nodes", "delta", "ms", "statistics");
  bool numeric_failed = false;
  for (size_t i = 0; i < report.steps.size(); ++i) {
    const passes::StepReport& r = report.steps[i];
    std::string note = stats_text(r);
    if (r.numeric.ran)
      note += std::string(note.empty() ? "" : "; ") + (r.numeric.passed ? "numeric ok" : "NUMERIC MISMATCH: " + r.numeric.detail) +
              " (max abs err " + Json(r.numeric.max_abs_error).dump(-1) + ")";
    else if (mo.verify_numerics && r.changed && !r.numeric.detail.empty())
      note += std::string(note.empty() ? "" : "; ") + "not checked: " + r.numeric.detail;
    numeric_failed = numeric_failed || (r.numeric.ran && !r.numeric.passed);
    std::printf("%4zu  %-34s %8lld %+8lld %9.2f  %s\n", i + 1, r.pass.c_str(), static_cast<long long>(r.nodes_after),
                static_cast<long long>(r.nodes_after - r.nodes_before), r.ms, r.changed ? note.c_str() : "(no change)");
  }
  std::printf("nodes: %lld -> %lld in %.1f ms\n", static_cast<long long>(report.nodes_before),
              static_cast<long long>(report.nodes_after), report.total_ms);

  if (auto rp = args.get("--report")) {
    Json j = report.to_json();
    j["model"] = path;
    j["output"] = *out;
    j["target"] = target;
    j["recipe"] = recipe.to_json();
    std::ofstream f(*rp, std::ios::binary);
    if (!f) fail(*rp, ": cannot write the report");
    f << j.dump(2) << "\n";
  }
  if (numeric_failed) {
    std::fprintf(stderr, "kiln-cli: a step changed the model's outputs beyond rtol %g / atol %g; %s was not written\n",
                 mo.rtol, mo.atol, out->c_str());
    return 1;
  }
  if (target == "portable") {
    std::vector<std::string> ops = kiln_ops(*model.graph);
    if (ops.size() > kiln_ops_before)
      fail("optimize: the portable target must produce only standard ONNX ops, but the recipe produced ", kKilnDomain,
           "::", ops.front(), " (use --target kiln, or drop that pass)");
  }
  save_model(model, *out);
  std::printf("wrote %s\n", out->c_str());
  return 0;
}

}  // namespace kiln::cli
