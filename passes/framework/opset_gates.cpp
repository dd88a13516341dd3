#include "passes/framework/opset_gates.h"

#include <utility>

#include "core/ir/kiln_domain.h"

namespace kiln::passes {
namespace {

// Versions from the ONNX operator changelog: the version whose semantics the passes emit.
constexpr std::pair<std::string_view, int64_t> kGates[] = {
    {"Add", 7},          // numpy broadcasting (earlier: broadcast/axis attributes)
    {"Mul", 7},
    {"Sub", 7},
    {"Div", 7},
    {"Conv", 1},
    {"ConvTranspose", 1},
    {"AveragePool", 7},  // count_include_pad
    {"Gemm", 11},        // optional C
    {"MatMul", 1},
    {"Transpose", 1},
    {"Reshape", 5},      // shape as an input
    {"Squeeze", 13},     // axes as an input (older: attribute; passes handle both)
    {"Unsqueeze", 13},
    {"Identity", 1},
    {"Relu", 6},
    {"Sigmoid", 6},
    {"HardSigmoid", 6},
    {"HardSwish", 14},
    {"Gelu", 20},
    {"LayerNormalization", 17},
    {"RMSNormalization", 23},
    {"BatchNormalization", 9},
    {"Slice", 10},       // starts/ends as inputs
    {"Concat", 4},
    {"Cast", 6},
    {"Pad", 11},         // pads as an input
    {"Softmax", 13},     // normalises along one axis (earlier: the input flattened to 2-D there)
    {"LogSoftmax", 13},
    {"Hardmax", 13},
};

}  // namespace

int64_t first_opset(std::string_view op) {
  for (const auto& [name, v] : kGates)
    if (name == op) return v;
  return -1;
}

bool can_emit(const Model& model, std::string_view op) {
  const int64_t need = first_opset(op);
  return need >= 0 && model.opset("") >= need;
}

void import_kiln_domain(Model& model) {
  if (model.opset(kKilnDomain) < 0) model.set_opset(kKilnDomain, kKilnOpsetVersion);
}

}  // namespace kiln::passes
