#pragma once
// Helpers shared by the runtime's own tests (session, memory plan, control flow, conformance).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/runtime/kernel.h"

namespace kiln::testing {

// Whether the reference registry has kernels for all of these ONNX ops (at `opset`); tests that
// need ops from kernel families still being written skip with the list of what is missing.
inline std::string missing_ops(const std::vector<std::string>& ops, int64_t opset = 17) {
  std::string missing;
  for (const std::string& op : ops)
    if (!KernelRegistry::global().find("", op, opset, Backend::Ref)) {
      if (!missing.empty()) missing += ", ";
      missing += op;
    }
  return missing;
}

#define KILN_REQUIRE_OPS(...)                                                              \
  do {                                                                                     \
    std::string kiln_missing_ = ::kiln::testing::missing_ops(__VA_ARGS__);                 \
    if (!kiln_missing_.empty()) GTEST_SKIP() << "no reference kernel yet for " << kiln_missing_; \
  } while (0)

// Concrete shapes for a model's inputs: symbolic "batch" dims become 1, other unknown dims 16
// (the same symbol gets the same value everywhere).
inline std::map<std::string, std::vector<int64_t>> concrete_input_shapes(const Model& m) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const Value* v : m.graph->inputs()) {
    if (v->initializer() || !v->type.is_tensor() || !v->type.shape) continue;
    std::vector<int64_t> dims;
    for (const Dim& d : v->type.shape->dims)
      dims.push_back(d.is_known() ? d.value : d.symbol.find("batch") != std::string::npos ? 1 : 16);
    out[v->name()] = dims;
  }
  return out;
}

inline std::vector<std::filesystem::path> sample_files() {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(KILN_SAMPLES_DIR, ec))
    if (e.path().extension() == ".onnx") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kiln::testing
