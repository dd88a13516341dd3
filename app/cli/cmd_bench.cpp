// kiln-cli bench: a short latency-only run; with --compare-ort the same model, threads and seeded
// inputs run in ONNX Runtime in the same invocation (scripts/ort_bench.py) and the ratio is printed.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/profile_args.h"
#include "core/onnx/onnx_import.h"
#include "core/profile/inputs.h"
#include "core/profile/latency.h"
#include "core/profile/profiler.h"
#include "core/runtime/tensor_io.h"
#include "core/util/error.h"

#ifndef KILN_ORT_BENCH_SCRIPT
#define KILN_ORT_BENCH_SCRIPT "scripts/ort_bench.py"
#endif

namespace kiln::cli {
namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// A fresh folder under the system temp dir, removed when this goes out of scope.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kiln-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) fail("--compare-ort: cannot create a temporary folder under ", fs::temp_directory_path().string());
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Json error_json(const std::string& message) {
  Json j = Json::object();
  j["error"] = message;
  return j;
}

// The last non-empty line of `text`.
std::string last_line(const std::string& text) {
  const auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const auto nl = text.rfind('\n', end);
  const size_t start = nl == std::string::npos ? 0 : nl + 1;
  return text.substr(start, end + 1 - start);
}

// Runs ONNX Runtime on the same inputs; returns its JSON answer (an "error" field when it failed).
Json run_ort(const std::string& model, const profile::Sample& inputs, int threads, int iters, int warmup) {
  const char* env = std::getenv("KILN_ORT_BENCH_SCRIPT");
  const std::string script = env && *env ? env : KILN_ORT_BENCH_SCRIPT;
  if (!fs::exists(script))
    return error_json("the ONNX Runtime bench script " + script +
                      " is missing (set KILN_ORT_BENCH_SCRIPT to scripts/ort_bench.py)");
  TempDir dir;
  Json manifest = Json::object();
  size_t k = 0;
  for (const auto& [name, t] : inputs) {
    const std::string file = "input_" + std::to_string(k++) + ".npy";
    write_npy(*t.to_tensor(name), (dir.path / file).string());
    manifest[name] = file;
  }
  std::ofstream((dir.path / "manifest.json").string()) << manifest.dump(-1);
  const std::string cmd = "python3 " + shell_quote(script) + " " + shell_quote(model) + " " +
                          shell_quote(dir.path.string()) + " --threads " + std::to_string(threads) + " --iters " +
                          std::to_string(iters) + " --warmup " + std::to_string(warmup) + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return error_json("cannot start python3 to run ONNX Runtime");
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  // The answer is the last line; anything before it is a warning ONNX Runtime printed.
  try {
    Json j = Json::parse(last_line(out));
    if (j.is_object()) return j;
  } catch (const Error&) {
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return error_json(code == 127 ? std::string("python3 is not installed")
                                : "ONNX Runtime bench failed (exit " + std::to_string(code) + "): " + out.substr(0, 300));
}

}  // namespace

int run_bench(const std::vector<std::string>& argv) {
  Args args("bench", argv, {"--json", "--compare-ort", "--pin"},
            {"--backend", "--threads", "--iters", "--warmup", "--shape", "--seed", "--time-budget"});
  const std::string& path = args.one_positional("MODEL path");
  SessionOptions so;
  if (auto b = args.get("--backend")) so.backend = parse_backend(*b);
  if (auto t = args.get("--threads")) so.threads = static_cast<int>(parse_int_option(*t, "--threads", 1));
  std::string pinned;
  if (args.flag("--pin")) pinned = profile::pin_to_cores(so.threads);
  profile::LatencyOptions lo;
  lo.per_node = false;
  const bool fixed_iters = args.get("--iters").has_value();
  if (fixed_iters) {
    // An explicit count runs exactly that many (no early stop), so repeated benches compare like for like.
    lo.max_iterations = lo.min_iterations = static_cast<int>(parse_int_option(*args.get("--iters"), "--iters", 1));
    lo.max_seconds = 1e9;
    lo.stable_pct = -1;
  }
  if (auto w = args.get("--warmup")) lo.warmup = static_cast<int>(parse_int_option(*w, "--warmup", 1));
  if (auto s = args.get("--time-budget")) lo.max_seconds = parse_double_option(*s, "--time-budget", 0);
  uint64_t seed = 0;
  if (auto s = args.get("--seed")) seed = static_cast<uint64_t>(parse_int_option(*s, "--seed", 0));

  Model model = load_model(path);
  profile::ResolvedShapes shapes = profile::resolve_input_shapes(*model.graph, parse_shapes(args));
  so.input_shapes = shapes.shapes;
  Session session(model, so);
  profile::Sample inputs = profile::random_sample(*session.model().graph, so.input_shapes, seed);
  profile::LatencyResult r = profile::measure_latency(session, inputs, lo);
  const profile::SampleStats& s = r.end_to_end;

  Json j = Json::object();
  j["version"] = 1;
  j["kind"] = "kiln-bench";
  j["model"] = path;
  j["backend"] = profile::backend_name(so.backend);
  j["threads"] = so.threads;
  if (!pinned.empty()) j["pinning"] = pinned;
  Json assumed = Json::array();
  for (const std::string& a : shapes.assumed) assumed.push_back(a);
  j["assumed"] = std::move(assumed);
  j["latency"] = r.to_json();

  if (!args.flag("--json")) {
    std::printf("%s  backend %s, %d thread%s%s\n", path.c_str(), profile::backend_name(so.backend).c_str(), so.threads,
                so.threads == 1 ? "" : "s", pinned.empty() ? "" : (", " + pinned).c_str());
    for (const std::string& a : shapes.assumed) std::printf("  assumed %s\n", a.c_str());
    std::printf("kiln  %d runs (%s): min %.4g  p50 %.4g  p90 %.4g  p99 %.4g  max %.4g ms  spread (p90-p10) %.3g ms (%.1f%%)\n",
                r.iterations, r.stop_reason.c_str(), s.min, s.p50, s.p90, s.p99, s.max, s.spread(), s.spread_pct());
  }
  int rc = 0;
  if (args.flag("--compare-ort")) {
    Json ort = run_ort(path, inputs, so.threads, r.iterations, lo.warmup);
    if (const Json* e = ort.find("error")) {
      if (!args.flag("--json")) std::fprintf(stderr, "kiln-cli bench: --compare-ort: %s\n", e->as_string().c_str());
      rc = 3;
    } else if (!args.flag("--json")) {
      const double p50 = ort.find("p50")->as_double();
      std::printf("ort   %lld runs (onnxruntime %s, %s): min %.4g  p50 %.4g  p90 %.4g  max %.4g ms\n",
                  static_cast<long long>(ort.find("iterations")->as_int()), ort.find("ort_version")->as_string().c_str(),
                  ort.find("graph_optimization")->as_string().c_str(), ort.find("min")->as_double(), p50,
                  ort.find("p90")->as_double(), ort.find("max")->as_double());
      std::printf("kiln / ort p50 ratio: %.3g (%s)\n", s.p50 / p50, s.p50 > p50 ? "Kiln slower" : "Kiln faster");
    }
    if (!ort.find("error")) ort["kiln_over_ort_p50"] = s.p50 / ort.find("p50")->as_double();
    j["onnxruntime"] = std::move(ort);
  }
  if (args.flag("--json")) std::printf("%s\n", j.dump(2).c_str());
  return rc;
}

}  // namespace kiln::cli
