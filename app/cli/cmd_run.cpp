// kiln-cli run: one inference (and, with --iters, a timed loop) on the reference or CPU runtime,
// inputs from files or seeded random data.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/onnx/onnx_import.h"
#include "core/runtime/random_inputs.h"
#include "core/runtime/session.h"
#include "core/runtime/tensor_io.h"
#include "core/util/error.h"

namespace kiln::cli {
namespace {

namespace fs = std::filesystem;

int64_t parse_int(const std::string& text, const std::string& option, int64_t min) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < min)
    fail(option, ": '", text, "' is not an integer >= ", std::to_string(min));
  return v;
}

void print_summary(const std::string& name, const RtTensor& t) {
  std::printf("%s  %s%s", name.c_str(), std::string(dtype_short_name(t.dtype())).c_str(), shape_str(t.shape()).c_str());
  if (dtype_is_float(t.dtype()) || dtype_is_integer(t.dtype()) || t.dtype() == DataType::Bool) {
    std::vector<double> v = t.to_tensor(name)->to_double();
    if (!v.empty()) {
      double lo = INFINITY, hi = -INFINITY, sum = 0;
      for (double x : v) {
        lo = std::fmin(lo, x);
        hi = std::fmax(hi, x);
        sum += x;
      }
      std::printf("  min=%.6g max=%.6g mean=%.6g", lo, hi, sum / static_cast<double>(v.size()));
    }
  }
  std::printf("\n");
}

}  // namespace

int run_run(const std::vector<std::string>& argv) {
  Args args("run", argv, {}, {"--inputs", "--outputs", "--shape", "--backend", "--threads", "--seed", "--iters"});
  const std::string& path = args.one_positional("MODEL path");
  SessionOptions opt;
  for (const std::string& s : args.all("--shape")) {
    auto [name, dims] = split_assignment(s, "--shape");
    opt.input_shapes[name] = parse_dims(dims, "--shape");
  }
  if (auto b = args.get("--backend")) {
    if (*b == "ref")
      opt.backend = Backend::Ref;
    else if (*b == "cpu")
      opt.backend = Backend::Cpu;
    else
      fail("--backend: '", *b, "' is not one of ref, cpu");
  }
  if (auto t = args.get("--threads")) opt.threads = static_cast<int>(parse_int(*t, "--threads", 1));
  uint64_t seed = 0;
  if (auto s = args.get("--seed")) seed = static_cast<uint64_t>(parse_int(*s, "--seed", 0));

  Model model = load_model(path);
  Session session(model, opt);
  const Graph& g = *session.model().graph;

  std::map<std::string, RtTensor> inputs;
  std::mt19937_64 rng(seed);
  size_t position = 0;
  for (const Value* v : g.inputs()) {
    if (v->initializer()) {
      // An input with a default value: fed only when a file names it.
      if (auto dir = args.get("--inputs")) {
        fs::path npy = fs::path(*dir) / (v->name() + ".npy");
        if (fs::exists(npy)) inputs[v->name()] = RtTensor::view(std::make_shared<Tensor>(read_tensor_file(npy.string())));
      }
      continue;
    }
    size_t k = position++;
    if (auto dir = args.get("--inputs")) {
      fs::path pb = fs::path(*dir) / ("input_" + std::to_string(k) + ".pb");
      fs::path npy = fs::path(*dir) / (v->name() + ".npy");
      fs::path named_pb = fs::path(*dir) / (v->name() + ".pb");
      fs::path file = fs::exists(pb) ? pb : fs::exists(npy) ? npy : named_pb;
      if (!fs::exists(file))
        fail(*dir, ": no file for input '", v->name(), "' (expected ", pb.filename().string(), " or ",
             npy.filename().string(), ")");
      inputs[v->name()] = RtTensor::view(std::make_shared<Tensor>(read_tensor_file(file.string())));
      continue;
    }
    if (!v->type.is_tensor() || !v->type.shape)
      fail("input '", v->name(), "' has no declared tensor shape; give one with --shape ", v->name(), "=DIMS");
    std::vector<int64_t> shape = v->type.shape->values();
    for (int64_t d : shape)
      if (d < 0)
        fail("input '", v->name(), "' has shape ", v->type.shape->str(), " with unknown dims; give it with --shape ",
             v->name(), "=DIMS");
    inputs[v->name()] = random_tensor(v->type.dtype, shape, rng, "input '" + v->name() + "'");
  }

  std::vector<RtTensor> outputs = session.run(inputs);
  // --iters N: time N more runs in this process (the first, above, warmed caches and packed
  // weights) and print the latency distribution.
  if (auto it = args.get("--iters")) {
    const int64_t iters = parse_int(*it, "--iters", 1);
    std::vector<double> ms;
    for (int64_t i = 0; i < iters; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      outputs = session.run(inputs);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("latency_ms median=%.4f min=%.4f p90=%.4f iters=%lld\n", ms[ms.size() / 2], ms.front(),
                ms[std::min(ms.size() - 1, ms.size() * 9 / 10)], static_cast<long long>(iters));
  }
  std::optional<std::string> out_dir = args.get("--outputs");
  if (out_dir) {
    std::error_code ec;
    fs::create_directories(*out_dir, ec);
    if (ec) fail(*out_dir, ": cannot create folder (", ec.message(), ")");
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string& name = session.output_names()[i];
    print_summary(name, outputs[i]);
    if (out_dir)
      write_tensor_pb(*outputs[i].to_tensor(name), (fs::path(*out_dir) / ("output_" + std::to_string(i) + ".pb")).string());
  }
  return 0;
}

}  // namespace kiln::cli
