#include "core/profile/inputs.h"

#include <algorithm>
#include <filesystem>

#include "core/runtime/random_inputs.h"
#include "core/runtime/tensor_io.h"
#include "core/util/error.h"

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

bool is_fed(const Value* v) { return !v->initializer(); }

Sample load_one(const Graph& g, const fs::path& dir) {
  Sample s;
  size_t position = 0;
  for (const Value* v : g.inputs()) {
    const fs::path npy = dir / (v->name() + ".npy");
    const fs::path named_pb = dir / (v->name() + ".pb");
    if (!is_fed(v)) {
      // An input with a default value is fed only when a file names it.
      if (fs::exists(npy)) s[v->name()] = RtTensor::view(std::make_shared<Tensor>(read_tensor_file(npy.string())));
      continue;
    }
    const fs::path pb = dir / ("input_" + std::to_string(position++) + ".pb");
    const fs::path file = fs::exists(pb) ? pb : fs::exists(npy) ? npy : named_pb;
    if (!fs::exists(file))
      fail(dir.string(), ": no file for input '", v->name(), "' (expected ", pb.filename().string(), " or ",
           npy.filename().string(), ")");
    s[v->name()] = RtTensor::view(std::make_shared<Tensor>(read_tensor_file(file.string())));
  }
  return s;
}

}  // namespace

std::vector<std::string> batchable_inputs(const Graph& g) {
  std::vector<std::string> out;
  for (const Value* v : g.inputs()) {
    if (!is_fed(v) || !v->type.is_tensor() || !v->type.shape || v->type.shape->rank() == 0) continue;
    const Dim& d0 = v->type.shape->dims[0];
    if (!d0.is_known() || d0.value == 1) out.push_back(v->name());
  }
  return out;
}

ResolvedShapes resolve_input_shapes(const Graph& g, const std::map<std::string, std::vector<int64_t>>& given,
                                    int64_t batch) {
  for (const auto& [name, dims] : given) {
    const Value* v = g.find_value(name);
    if (!v || !v->is_graph_input()) fail("--shape: '", name, "' is not an input of the model");
  }
  ResolvedShapes r;
  const std::vector<std::string> batched = batch > 0 ? batchable_inputs(g) : std::vector<std::string>{};
  for (const Value* v : g.inputs()) {
    if (!is_fed(v)) continue;
    std::vector<int64_t> dims;
    if (auto it = given.find(v->name()); it != given.end()) {
      dims = it->second;
    } else {
      if (!v->type.is_tensor() || !v->type.shape)
        fail("input '", v->name(), "' has no declared shape; give one with --shape ", v->name(), "=DIMS");
      dims = v->type.shape->values();
      for (size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] >= 0) continue;
        dims[i] = 1;
        if (i == 0 && batch > 0) continue;  // replaced by the batch below
        r.assumed.push_back("input '" + v->name() + "' dim " + std::to_string(i) + " (" +
                            v->type.shape->dims[i].str() + ") = 1");
      }
    }
    if (batch > 0 && !dims.empty() && std::find(batched.begin(), batched.end(), v->name()) != batched.end())
      dims[0] = batch;
    r.shapes[v->name()] = std::move(dims);
  }
  return r;
}

Sample random_sample(const Graph& g, const std::map<std::string, std::vector<int64_t>>& shapes, uint64_t seed) {
  return random_inputs(g, shapes, seed, 1);
}

std::vector<Sample> load_input_samples(const Graph& g, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("--inputs: '", dir, "' is not a folder");
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  std::vector<Sample> out;
  if (sets.empty()) {
    out.push_back(load_one(g, dir));
  } else {
    for (const fs::path& s : sets) out.push_back(load_one(g, s));
  }
  return out;
}

std::map<std::string, std::vector<int64_t>> sample_shapes(const Sample& s) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& [name, t] : s) out[name] = t.shape();
  return out;
}

}  // namespace kiln::profile
