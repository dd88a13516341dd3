// ONNX's backend test data (node, pytorch-converted, pytorch-operator, simple) run through the
// reference runtime. Each case is unsupported (some op has no kernel, or it uses sequences or
// optionals), passes (every output matches with ONNX's runner tolerances) or fails. Every case
// whose ops are all supported must pass. The per-case results go to $KILN_CONFORMANCE_RESULTS
// (default: conformance_results.txt in the working directory).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/onnx/onnx_import.h"
#include "core/runtime/session.h"
#include "core/runtime/tensor_io.h"
#include "core/util/error.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

enum class Outcome { Pass, Fail, Unsupported };

struct CaseResult {
  std::string suite, name;
  Outcome outcome;
  std::string message;
};

// "" when equal within rtol 1e-3 / atol 1e-7 (NaN equals NaN; integers, bools, strings exact).
std::string compare(const Tensor& expected, const RtTensor& got_rt, const std::string& label) {
  if (got_rt.dtype() != expected.dtype)
    return label + ": type " + std::string(dtype_short_name(got_rt.dtype())) + ", expected " +
           std::string(dtype_short_name(expected.dtype));
  if (got_rt.shape() != expected.dims)
    return label + ": shape " + shape_str(got_rt.shape()) + ", expected " + shape_str(expected.dims);
  auto got = got_rt.to_tensor(label);
  if (expected.dtype == DataType::String) return got->strings == expected.strings ? "" : label + ": strings differ";
  if (!dtype_is_float(expected.dtype)) {
    if (got->byte_size() != expected.byte_size() ||
        (expected.byte_size() && std::memcmp(got->raw(), expected.raw(), expected.byte_size()) != 0)) {
      std::vector<double> g = got->to_double(), e = expected.to_double();
      for (size_t i = 0; i < e.size() && i < g.size(); ++i)
        if (g[i] != e[i])
          return label + ": element " + std::to_string(i) + " is " + std::to_string(g[i]) + ", expected " +
                 std::to_string(e[i]);
      return label + ": values differ";
    }
    return "";
  }
  std::vector<double> g = got->to_double(), e = expected.to_double();
  for (size_t i = 0; i < e.size(); ++i) {
    if (std::isnan(e[i]) && std::isnan(g[i])) continue;
    if (e[i] == g[i]) continue;
    if (!(std::fabs(g[i] - e[i]) <= 1e-7 + 1e-3 * std::fabs(e[i])))
      return label + ": element " + std::to_string(i) + " is " + std::to_string(g[i]) + ", expected " +
             std::to_string(e[i]);
  }
  return "";
}

// NumPy has no bfloat16, so ONNX's test data stores bfloat16 tensors as their uint16 bits.
void as_bfloat16(Tensor& t) {
  if (t.dtype == DataType::UInt16) t.dtype = DataType::BFloat16;
}

CaseResult run_case(const std::string& suite, const fs::path& dir) {
  CaseResult r{suite, dir.filename().string(), Outcome::Fail, ""};
  try {
    Model model = load_model((dir / "model.onnx").string());
    const Graph& g = *model.graph;
    for (const Value* v : g.inputs())
      if (v->type.kind == ValueType::Kind::Other) return {suite, r.name, Outcome::Unsupported, "non-tensor input"};
    for (const Value* v : g.outputs())
      if (v->type.kind == ValueType::Kind::Other) return {suite, r.name, Outcome::Unsupported, "non-tensor output"};
    std::vector<const Value*> feedable;
    for (const Value* v : g.inputs())
      if (!v->initializer()) feedable.push_back(v);
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) {
      // Still tells supported from unsupported.
      try {
        Session probe(model, SessionOptions{});
      } catch (const Unsupported& e) {
        return {suite, r.name, Outcome::Unsupported, e.what()};
      }
    }
    for (const fs::path& set : sets) {
      std::map<std::string, RtTensor> inputs;
      for (size_t i = 0;; ++i) {
        fs::path p = set / ("input_" + std::to_string(i) + ".pb");
        if (!fs::exists(p)) break;
        auto t = std::make_shared<Tensor>(read_tensor_file(p.string()));
        const Value* v = g.find_value(t->name);
        std::string name = v && v->is_graph_input() ? t->name : i < feedable.size() ? feedable[i]->name() : t->name;
        v = g.find_value(name);
        if (v && v->type.dtype == DataType::BFloat16) as_bfloat16(*t);
        inputs[name] = RtTensor::view(t);
      }
      // The data's shapes are bound as concrete input shapes (a few cases declare other shapes
      // than their data has, which ONNX's runner does not check).
      SessionOptions options;
      for (const auto& [name, t] : inputs) options.input_shapes[name] = t.shape();
      std::vector<RtTensor> outs;
      try {
        Session session(model, options);
        outs = session.run(inputs);
      } catch (const Unsupported& e) {
        return {suite, r.name, Outcome::Unsupported, e.what()};
      }
      for (size_t i = 0;; ++i) {
        fs::path p = set / ("output_" + std::to_string(i) + ".pb");
        if (!fs::exists(p)) break;
        std::string label = set.filename().string() + " output " + std::to_string(i);
        if (i >= outs.size()) return {suite, r.name, Outcome::Fail, label + ": missing"};
        Tensor expected = read_tensor_file(p.string());
        if (outs[i].dtype() == DataType::BFloat16) as_bfloat16(expected);
        std::string diff = compare(expected, outs[i], label);
        if (!diff.empty()) return {suite, r.name, Outcome::Fail, diff};
      }
    }
    r.outcome = Outcome::Pass;
  } catch (const std::exception& e) {
    r.message = e.what();
  }
  return r;
}

TEST(Conformance, OnnxBackendTestData) {
  const fs::path root = KILN_ONNX_TESTDATA_DIR;
  if (!fs::exists(root)) GTEST_SKIP() << root << " not installed";
  auto start = std::chrono::steady_clock::now();
  std::vector<CaseResult> results;
  const char* suites[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};
  for (const char* suite : suites) {
    std::vector<fs::path> cases;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root / suite, ec))
      if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    for (const fs::path& c : cases) results.push_back(run_case(suite, c));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const char* env = std::getenv("KILN_CONFORMANCE_RESULTS");
  std::string out_path = env && *env ? env : "conformance_results.txt";
  std::ofstream out(out_path);
  std::string failures;
  size_t failed = 0;
  std::printf("%-20s %6s %6s %12s %6s\n", "suite", "pass", "fail", "unsupported", "total");
  for (const char* suite : suites) {
    size_t counts[3] = {0, 0, 0};
    for (const CaseResult& r : results) {
      if (r.suite != suite) continue;
      ++counts[static_cast<int>(r.outcome)];
      const char* status = r.outcome == Outcome::Pass ? "pass" : r.outcome == Outcome::Fail ? "FAIL" : "unsupported";
      out << r.suite << '/' << r.name << '\t' << status << '\t' << r.message << '\n';
      if (r.outcome == Outcome::Fail) {
        ++failed;
        failures += "  " + r.suite + "/" + r.name + ": " + r.message + "\n";
      }
    }
    std::printf("%-20s %6zu %6zu %12zu %6zu\n", suite, counts[0], counts[1], counts[2],
                counts[0] + counts[1] + counts[2]);
  }
  std::printf("%zu cases in %.1f s; per-case results in %s\n", results.size(), seconds, out_path.c_str());
  EXPECT_EQ(failed, 0u) << "cases with every op supported that do not match ONNX's expected outputs:\n" << failures;
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace kiln
