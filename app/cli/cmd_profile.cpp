// kiln-cli profile: the full profile of a model (latency, per-node and per-original-node time,
// throughput over a batch sweep, memory, compute, energy and, with --against, accuracy deltas), or
// with --recipe/--steps one profile per optimization step and a table of how each step moved them.
#include <cmath>
#include <cstdio>
#include <fstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/profile_args.h"
#include "core/analysis/model_summary.h"
#include "core/onnx/onnx_import.h"
#include "core/profile/image_inputs.h"
#include "core/profile/profiler.h"
#include "core/profile/step_history.h"
#include "core/util/error.h"
#include "passes/framework/pass_manager.h"

namespace kiln::cli {
namespace {

using profile::Report;

std::string num(const Json* j, const char* fmt) {
  if (!j || !j->is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, j->as_double());
  return buf;
}

template <class T>
std::string opt_num(const std::optional<T>& v, const char* fmt) {
  if (!v) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, static_cast<double>(*v));
  return buf;
}

std::string opt_bytes(const std::optional<int64_t>& v) { return v ? format_bytes(*v) : "-"; }

void print_report(const Report& r) {
  const profile::SummaryCard& c = r.card;
  std::printf("model: %s  (backend %s, %d thread%s)\n", r.model.c_str(), r.backend.c_str(), r.threads,
              r.threads == 1 ? "" : "s");
  std::printf("summary\n");
  std::printf("  latency     p50 %s ms  p90 %s ms  p99 %s ms  spread (p90-p10) %s ms\n", opt_num(c.p50_ms, "%.4g").c_str(),
              opt_num(c.p90_ms, "%.4g").c_str(), opt_num(c.p99_ms, "%.4g").c_str(), opt_num(c.spread_ms, "%.3g").c_str());
  if (c.accuracy_measured)
    std::printf("  accuracy    max abs error %s  min cosine %s  min SNR %s dB  top-1 agreement %s  (%s)\n",
                opt_num(c.max_abs_error, "%.3g").c_str(), opt_num(c.min_cosine, "%.6f").c_str(),
                opt_num(c.min_snr_db, "%.1f").c_str(), opt_num(c.top1_agreement, "%.3f").c_str(), c.accuracy_note.c_str());
  else
    std::printf("  accuracy    not measured: %s\n", c.accuracy_note.c_str());
  std::printf("  size        file %s  weights %s  peak activations %s  peak RSS %s\n", opt_bytes(c.file_bytes).c_str(),
              opt_bytes(c.weights_bytes).c_str(), opt_bytes(c.peak_activation_bytes).c_str(),
              opt_bytes(c.peak_rss_bytes).c_str());
  if (c.best_batch)
    std::printf("  throughput  %s inferences/s at batch %lld\n", opt_num(c.inferences_per_s, "%.4g").c_str(),
                static_cast<long long>(*c.best_batch));
  else
    std::printf("  throughput  -\n");
  if (c.energy_available)
    std::printf("  energy      %s J/inference (%s)\n", opt_num(c.joules_per_inference, "%.4g").c_str(), c.energy_note.c_str());
  else
    std::printf("  energy      %s\n", c.energy_note.c_str());

  const Json& s = r.sections;
  if (const Json* lat = s.find("latency")) {
    std::printf("\nlatency: %lld runs, %s; first (cold) run %s ms\n", static_cast<long long>(lat->find("iterations")->as_int()),
                lat->find("stop_reason")->as_string().c_str(), num(lat->find("first_run_ms"), "%.4g").c_str());
    if (const Json* pn = lat->find("per_node")) {
      std::printf("per node: observer overhead %s%% of a run (%s ns per call, timed directly); paired runs with and "
                  "without it (%lld each, interleaved) differ by %s%% at the median, which includes the machine's "
                  "noise; node times sum to %s%% of end to end\n",
                  num(pn->find("observer_direct_pct"), "%.3f").c_str(), num(pn->find("observer_ns_per_call"), "%.0f").c_str(),
                  static_cast<long long>(pn->find("iterations")->as_int()), num(pn->find("observer_overhead_pct"), "%+.2f").c_str(),
                  num(pn->find("node_sum_pct_of_end_to_end"), "%.1f").c_str());
      std::printf("  %-28s %6s %10s %7s\n", "op type", "nodes", "ms", "%");
      size_t shown = 0;
      for (const Json& g : pn->find("by_op")->as_array()) {
        if (shown++ == 8) break;
        std::printf("  %-28s %6lld %10s %6s%%\n", g.find("op")->as_string().c_str(),
                    static_cast<long long>(g.find("nodes")->as_int()), num(g.find("ms"), "%.4f").c_str(),
                    num(g.find("pct"), "%.1f").c_str());
      }
      std::printf("  %-8s %-40s %-20s %10s %7s\n", "original", "name", "op", "ms", "%");
      shown = 0;
      for (const Json& g : pn->find("by_original_node")->as_array()) {
        if (shown++ == 8) break;
        std::string name = g.find("name")->as_string();
        if (name.size() > 40) name = "..." + name.substr(name.size() - 37);
        std::printf("  %-8s %-40s %-20s %10s %6s%%\n", g.find("id")->as_string().c_str(), name.c_str(),
                    g.find("op")->as_string().c_str(), num(g.find("ms"), "%.4f").c_str(), num(g.find("pct"), "%.1f").c_str());
      }
    }
  }
  if (const Json* comp = s.find("compute")) {
    const Json* frac = comp->find("peak_fraction");
    char pct[32] = "-";
    if (!frac->is_null()) std::snprintf(pct, sizeof pct, "%.3g", frac->as_double() * 100);
    std::printf("\ncompute: %s FLOPs (%s MACs) per inference, %s GFLOP/s achieved, peak %s GFLOP/s on %lld core(s) "
                "(%s%% of peak)\n",
                format_count(comp->find("total_flops")->as_int()).c_str(), format_count(comp->find("total_macs")->as_int()).c_str(),
                num(comp->find("achieved_gflops"), "%.3g").c_str(), num(comp->find("peak_gflops"), "%.4g").c_str(),
                static_cast<long long>(comp->find("cores_used")->as_int()), pct);
    std::printf("  peak: %s\n", comp->find("machine")->find("how")->as_string().c_str());
    std::printf("  roofline ridge %s flops/byte (read bandwidth %s GB/s measured)\n",
                num(comp->find("ridge_flops_per_byte"), "%.3g").c_str(), num(comp->find("bandwidth_gbps"), "%.3g").c_str());
    int compute_bound = 0, memory_bound = 0;
    for (const Json& n : comp->find("nodes")->as_array()) {
      compute_bound += n.find("bound")->as_string() == "compute";
      memory_bound += n.find("bound")->as_string() == "memory";
    }
    std::printf("  nodes: %d compute-bound, %d memory-bound\n", compute_bound, memory_bound);
  }
  if (const Json* t = s.find("throughput")) {
    std::printf("\nthroughput (batch sweep over %s):\n", t->find("batched_inputs")->size() ? "dim 0" : "the model's own batch");
    std::printf("  %6s %12s %12s %14s\n", "batch", "p50 ms", "inf/s", "memory");
    for (const Json& p : t->find("points")->as_array()) {
      const Json* l = p.find("latency_ms");
      std::printf("  %6lld %12s %12s %14s  %s\n", static_cast<long long>(p.find("batch")->as_int()),
                  l ? num(l->find("p50"), "%.4g").c_str() : "-", num(p.find("inferences_per_s"), "%.4g").c_str(),
                  p.find("memory_bytes")->is_null() ? "-" : format_bytes(p.find("memory_bytes")->as_int()).c_str(),
                  p.find("stopped") ? p.find("stopped")->as_string().c_str() : "");
    }
  }
  if (const Json* acc = s.find("accuracy")) {
    std::printf("\naccuracy against %s (%s):\n", r.reference.c_str(), acc->find("inputs")->as_string().c_str());
    for (const Json& o : acc->find("outputs")->as_array()) {
      std::printf("  %-28s max abs %s  mean abs %s  rel L2 %s  cosine %s  SNR %s dB", o.find("name")->as_string().c_str(),
                  num(o.find("max_abs_error"), "%.3g").c_str(), num(o.find("mean_abs_error"), "%.3g").c_str(),
                  num(o.find("rel_l2_error"), "%.3g").c_str(), num(o.find("cosine"), "%.6f").c_str(),
                  o.find("identical")->as_bool() ? "inf" : num(o.find("snr_db"), "%.1f").c_str());
      if (o.find("top1_agreement"))
        std::printf("  top-1 %s  top-%lld %s", num(o.find("top1_agreement"), "%.3f").c_str(),
                    static_cast<long long>(o.find("top_k")->as_int()), num(o.find("topk_agreement"), "%.3f").c_str());
      std::printf("\n");
    }
    if (const Json* l = acc->find("labels"))
      std::printf("  labels: top-1 %s / top-5 %s (reference %s / %s) over %lld samples\n",
                  num(l->find("model")->find("top1"), "%.3f").c_str(), num(l->find("model")->find("top5"), "%.3f").c_str(),
                  num(l->find("reference")->find("top1"), "%.3f").c_str(),
                  num(l->find("reference")->find("top5"), "%.3f").c_str(),
                  static_cast<long long>(l->find("model")->find("samples")->as_int()));
    if (const Json* pn = acc->find("per_node")) {
      const Json* f = pn->find("first_exceeding");
      if (f && !f->is_null())
        std::printf("  per node: %lld values compared; error first exceeds atol %s + rtol %s at '%s' (node '%s', %s), "
                    "max abs %s\n",
                    static_cast<long long>(pn->find("compared")->as_int()), num(pn->find("atol"), "%g").c_str(),
                    num(pn->find("rtol"), "%g").c_str(), f->find("value")->as_string().c_str(),
                    f->find("node")->as_string().c_str(), f->find("op")->as_string().c_str(),
                    num(f->find("max_abs_error"), "%.3g").c_str());
      else
        std::printf("  per node: %lld values compared; none exceeds atol %s + rtol %s\n",
                    static_cast<long long>(pn->find("compared")->as_int()), num(pn->find("atol"), "%g").c_str(),
                    num(pn->find("rtol"), "%g").c_str());
    } else if (const Json* note = acc->find("per_node_note")) {
      std::printf("  %s\n", note->as_string().c_str());
    }
  }
}

void write_json(const Json& j, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  if (!f) fail("--json: cannot write '", path, "'");
  f << j.dump(2) << "\n";
  if (!f) fail("--json: writing '", path, "' failed");
  std::printf("\nwrote %s\n", path.c_str());
}

}  // namespace

int run_profile(const std::vector<std::string>& argv) {
  Args args("profile", argv, {"--steps", "--pin", "--no-sweep", "--no-energy", "--no-node-error"},
            {"--against", "--inputs", "--images", "--labels", "--mean", "--std", "--layout", "--size", "--batch",
             "--latency-bound", "--memory-bound", "--backend", "--threads", "--json", "--recipe", "--target",
             "--shape", "--seed", "--iters", "--warmup", "--time-budget", "--node-iters", "--samples"});
  const std::string& path = args.one_positional("MODEL path");
  if (args.get("--inputs") && args.get("--images")) fail("profile: give --inputs or --images, not both");
  if (args.get("--recipe") && args.flag("--steps")) fail("profile: give --recipe or --steps, not both");
  if (args.get("--against") && (args.get("--recipe") || args.flag("--steps")))
    fail("profile: --against does not combine with --recipe/--steps (each step is compared with the original)");

  profile::ProfileOptions o;
  if (auto b = args.get("--backend")) o.session.backend = parse_backend(*b);
  if (auto t = args.get("--threads")) o.session.threads = static_cast<int>(parse_int_option(*t, "--threads", 1));
  if (args.flag("--pin")) o.pinned = profile::pin_to_cores(o.session.threads);
  o.session.input_shapes = parse_shapes(args);
  if (auto s = args.get("--seed")) o.seed = static_cast<uint64_t>(parse_int_option(*s, "--seed", 0));
  if (auto s = args.get("--iters")) o.latency.max_iterations = static_cast<int>(parse_int_option(*s, "--iters", 1));
  o.latency.min_iterations = std::min(o.latency.min_iterations, o.latency.max_iterations);
  if (auto s = args.get("--warmup")) o.latency.warmup = static_cast<int>(parse_int_option(*s, "--warmup", 1));
  if (auto s = args.get("--time-budget")) o.latency.max_seconds = parse_double_option(*s, "--time-budget", 0);
  if (auto s = args.get("--node-iters"))
    o.latency.per_node_iterations = static_cast<int>(parse_int_option(*s, "--node-iters", 0));
  if (auto s = args.get("--samples")) o.random_samples = static_cast<int>(parse_int_option(*s, "--samples", 1));
  if (auto s = args.get("--batch")) o.sweep.batches = parse_int_list(*s, "--batch", 1);
  if (auto s = args.get("--latency-bound")) o.sweep.latency_bound_ms = parse_double_option(*s, "--latency-bound", 0);
  if (auto s = args.get("--memory-bound"))
    o.sweep.memory_bound_bytes = static_cast<int64_t>(parse_double_option(*s, "--memory-bound", 0) * 1024 * 1024);
  o.sweep.latency = o.latency;
  o.throughput = !args.flag("--no-sweep");
  o.energy = !args.flag("--no-energy");
  o.per_node_error = !args.flag("--no-node-error");
  if (auto l = args.get("--labels")) o.labels = read_labels(*l);

  Model model = load_model(path);
  if (auto dir = args.get("--inputs")) {
    o.samples = profile::load_input_samples(*model.graph, *dir);
    o.samples_from = "folder " + *dir;
  } else if (auto dir = args.get("--images")) {
    profile::ImagePreprocess pp;
    if (auto m = args.get("--mean")) pp.mean = parse_float_list(*m, "--mean");
    if (auto m = args.get("--std")) pp.std = parse_float_list(*m, "--std");
    if (auto l = args.get("--layout")) {
      if (*l == "nchw")
        pp.layout = profile::ImageLayout::NCHW;
      else if (*l == "nhwc")
        pp.layout = profile::ImageLayout::NHWC;
      else
        fail("--layout: '", *l, "' is not one of nchw, nhwc");
    }
    if (auto s = args.get("--size")) {
      std::vector<int64_t> hw = parse_dims(*s, "--size");
      if (hw.size() != 2 || hw[0] <= 0 || hw[1] <= 0) fail("--size: '", *s, "' is not HEIGHTxWIDTH");
      pp.height = static_cast<int>(hw[0]);
      pp.width = static_cast<int>(hw[1]);
    }
    o.samples = profile::load_image_samples(*model.graph, *dir, pp);
    o.samples_from = "images " + *dir;
  } else if (args.get("--mean") || args.get("--std") || args.get("--layout") || args.get("--size")) {
    fail("profile: --mean, --std, --layout and --size preprocess images; give --images DIR");
  }
  if (!o.labels.empty() && !args.get("--against"))
    fail("profile: --labels scores accuracy against a reference run; give --against REF.onnx");

  if (args.get("--recipe") || args.flag("--steps")) {
    const std::string target = args.get("--target").value_or("kiln");
    if (target != "portable" && target != "kiln") fail("--target: '", target, "' is not one of portable, kiln");
    passes::Recipe recipe = args.get("--recipe") ? passes::Recipe::load(*args.get("--recipe"))
                                                 : passes::Recipe::builtin(target);
    passes::PassManager pm;
    std::vector<profile::Step> steps;
    for (const passes::RecipeStep& rs : recipe.steps) {
      const passes::PassDef* def = passes::PassRegistry::global().find(rs.pass);
      if (!def) fail("recipe '", recipe.name, "': unknown pass '", rs.pass, "'");
      passes::Options opts = def->info.parse_options(rs.options);
      const bool fixed = rs.until_fixed_point;
      steps.push_back({rs.pass, [&pm, def, opts, fixed](Model& m) { return pm.apply(m, *def, opts, fixed).changed; }});
    }
    std::printf("recipe '%s': %zu steps, each profiled against the original%s\n", recipe.name.c_str(), steps.size(),
                recipe.max_iterations > 1 ? " (one round; the recipe's repeat rounds are not profiled)" : "");
    profile::StepHistory h = profile::profile_steps(model, path, steps, o);
    std::printf("%s", h.table().c_str());
    std::printf("\nlast step:\n");
    print_report(h.reports.back());
    if (auto j = args.get("--json")) write_json(h.to_json(), *j);
    return 0;
  }

  std::optional<Model> reference;
  if (auto a = args.get("--against")) reference = load_model(*a);
  Report r = profile::profile_model(model, path, reference ? &*reference : nullptr, args.get("--against").value_or(""), o);
  print_report(r);
  if (auto j = args.get("--json")) write_json(r.to_json(), *j);
  return 0;
}

}  // namespace kiln::cli
