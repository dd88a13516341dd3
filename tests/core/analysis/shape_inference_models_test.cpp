// Real models: every model of ONNX's backend test data, with every type but the inputs' and the
// initializers' erased, must be re-inferred to the output types the model declares (the shapes of
// its reference outputs), without an exception.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/analysis/shape_inference.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

// Empty when consistent: element types equal, ranks equal, numbers equal where both have them.
std::string mismatch(const ValueType& inferred, const ValueType& declared) {
  if (!inferred.is_tensor() || !declared.is_tensor()) return "";
  if (inferred.dtype != DataType::Undefined && declared.dtype != DataType::Undefined &&
      inferred.dtype != declared.dtype)
    return "element type";
  if (!inferred.shape || !declared.shape) return "";
  if (inferred.shape->rank() != declared.shape->rank()) return "rank";
  for (size_t i = 0; i < inferred.shape->rank(); ++i) {
    const Dim& a = inferred.shape->dims[i];
    const Dim& b = declared.shape->dims[i];
    if (a.is_known() && b.is_known() && a.value != b.value) return "dim";
  }
  return "";
}

TEST(ShapeInferenceModels, BackendTestDataOutputsMatch) {
  fs::path root(KILN_ONNX_TESTDATA_DIR);
  if (!fs::is_directory(root)) GTEST_SKIP() << "no ONNX test data at " << root;
  size_t models = 0, outputs = 0, inferred = 0;
  std::vector<std::string> problems, untyped;
  for (const char* folder : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    if (!fs::is_directory(root / folder)) continue;
    for (const auto& entry : fs::directory_iterator(root / folder)) {
      fs::path path = entry.path() / "model.onnx";
      if (!fs::exists(path)) continue;
      Model m;
      try {
        m = load_model(path.string());
      } catch (const Error&) {
        continue;  // the importer's tests cover what it refuses
      }
      ++models;
      std::vector<std::pair<Value*, ValueType>> declared;
      for (Value* v : m.graph->outputs()) declared.emplace_back(v, v->type);
      m.graph->for_each_value([](Value* v) {
        if (v->is_graph_input() || v->is_initializer()) return;
        v->type = ValueType();
        v->has_value_info = false;
      });
      try {
        infer_shapes(m);
      } catch (const std::exception& e) {
        problems.push_back(path.string() + ": threw " + e.what());
        continue;
      }
      for (const auto& [v, t] : declared) {
        ++outputs;
        if (v->type.is_known()) {
          ++inferred;
        } else {
          untyped.push_back(path.string() + ": '" + v->name() + "'");
        }
        std::string why = mismatch(v->type, t);
        if (!why.empty())
          problems.push_back(path.string() + ": '" + v->name() + "': " + why + ": inferred " +
                             v->type.str() + ", declared " + t.str());
      }
    }
  }
  for (size_t i = 0; i < problems.size() && i < 30; ++i) ADD_FAILURE() << problems[i];
  EXPECT_GT(models, 1000u);
  // Nearly every output is typed; the rest are outputs of ops Kiln does not know yet (Gradient)
  // or optional sequences.
  EXPECT_GT(inferred * 1000, outputs * 995) << inferred << " of " << outputs << " outputs typed";
  if (HasFailure())
    for (size_t i = 0; i < untyped.size() && i < 20; ++i) ADD_FAILURE() << "untyped: " << untyped[i];
  RecordProperty("models", std::to_string(models));
  RecordProperty("outputs_typed", std::to_string(inferred) + "/" + std::to_string(outputs));
}

}  // namespace
}  // namespace kiln
