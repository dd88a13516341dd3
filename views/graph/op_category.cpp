#include "views/graph/op_category.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "core/ir/kiln_domain.h"

namespace kiln {
namespace {

using Entry = std::pair<std::string_view, OpCategory>;

// Sorted by name so lookup is a binary search.
constexpr Entry kTable[] = {
      {"Abs", OpCategory::Elementwise}, {"Add", OpCategory::Elementwise}, {"And", OpCategory::Elementwise},
      {"ArgMax", OpCategory::Reduction}, {"ArgMin", OpCategory::Reduction},
      {"AveragePool", OpCategory::Pooling}, {"BatchNormalization", OpCategory::Normalization},
      {"Cast", OpCategory::Elementwise}, {"Ceil", OpCategory::Elementwise}, {"Celu", OpCategory::Activation},
      {"Clip", OpCategory::Activation}, {"Concat", OpCategory::Shape}, {"Constant", OpCategory::Constant},
      {"ConstantOfShape", OpCategory::Constant}, {"Conv", OpCategory::Convolution},
      {"ConvInteger", OpCategory::Convolution}, {"ConvTranspose", OpCategory::Convolution},
      {"Cos", OpCategory::Elementwise}, {"DepthToSpace", OpCategory::Shape},
      {"DequantizeLinear", OpCategory::Elementwise}, {"Div", OpCategory::Elementwise},
      {"Dropout", OpCategory::Activation}, {"Einsum", OpCategory::MatMul}, {"Elu", OpCategory::Activation},
      {"Equal", OpCategory::Elementwise}, {"Erf", OpCategory::Elementwise}, {"Exp", OpCategory::Elementwise},
      {"Expand", OpCategory::Shape}, {"Flatten", OpCategory::Shape}, {"Floor", OpCategory::Elementwise},
      {"Gather", OpCategory::Shape}, {"GatherElements", OpCategory::Shape}, {"GatherND", OpCategory::Shape},
      {"Gelu", OpCategory::Activation}, {"Gemm", OpCategory::MatMul},
      {"GlobalAveragePool", OpCategory::Pooling}, {"GlobalMaxPool", OpCategory::Pooling},
      {"Greater", OpCategory::Elementwise}, {"GroupNormalization", OpCategory::Normalization},
      {"HardSigmoid", OpCategory::Activation}, {"HardSwish", OpCategory::Activation},
      {"Identity", OpCategory::Shape}, {"If", OpCategory::ControlFlow},
      {"InstanceNormalization", OpCategory::Normalization}, {"LRN", OpCategory::Normalization},
      {"LayerNormalization", OpCategory::Normalization}, {"LeakyRelu", OpCategory::Activation},
      {"Less", OpCategory::Elementwise}, {"Log", OpCategory::Elementwise},
      {"LogSoftmax", OpCategory::Activation}, {"Loop", OpCategory::ControlFlow},
      {"MatMul", OpCategory::MatMul}, {"MatMulInteger", OpCategory::MatMul}, {"Max", OpCategory::Elementwise},
      {"MaxPool", OpCategory::Pooling}, {"Mean", OpCategory::Elementwise}, {"Min", OpCategory::Elementwise},
      {"Mish", OpCategory::Activation}, {"Mod", OpCategory::Elementwise}, {"Mul", OpCategory::Elementwise},
      {"Neg", OpCategory::Elementwise}, {"Not", OpCategory::Elementwise}, {"Or", OpCategory::Elementwise},
      {"PRelu", OpCategory::Activation}, {"Pad", OpCategory::Shape}, {"Pow", OpCategory::Elementwise},
      {"QuantizeLinear", OpCategory::Elementwise}, {"Range", OpCategory::Shape},
      {"Reciprocal", OpCategory::Elementwise}, {"ReduceL2", OpCategory::Reduction},
      {"ReduceMax", OpCategory::Reduction}, {"ReduceMean", OpCategory::Reduction},
      {"ReduceMin", OpCategory::Reduction}, {"ReduceSum", OpCategory::Reduction},
      {"Relu", OpCategory::Activation}, {"Reshape", OpCategory::Shape}, {"Resize", OpCategory::Shape},
      {"Scan", OpCategory::ControlFlow}, {"Shape", OpCategory::Shape}, {"Sigmoid", OpCategory::Activation},
      {"Sin", OpCategory::Elementwise}, {"Slice", OpCategory::Shape}, {"Softmax", OpCategory::Activation},
      {"Softplus", OpCategory::Activation}, {"SpaceToDepth", OpCategory::Shape}, {"Split", OpCategory::Shape},
      {"Sqrt", OpCategory::Elementwise}, {"Squeeze", OpCategory::Shape}, {"Sub", OpCategory::Elementwise},
      {"Sum", OpCategory::Elementwise}, {"Tanh", OpCategory::Activation}, {"Tile", OpCategory::Shape},
      {"Transpose", OpCategory::Shape}, {"Unsqueeze", OpCategory::Shape}, {"Where", OpCategory::Elementwise},
};
static_assert(std::is_sorted(std::begin(kTable), std::end(kTable),
                             [](const Entry& a, const Entry& b) { return a.first < b.first; }),
              "kTable must stay sorted for the binary search");

}  // namespace

OpCategory op_category(std::string_view domain, std::string_view op_type) {
  if (domain == kKilnDomain) return OpCategory::Fused;
  auto it = std::lower_bound(std::begin(kTable), std::end(kTable), op_type,
                             [](const Entry& e, std::string_view name) { return e.first < name; });
  return it != std::end(kTable) && it->first == op_type ? it->second : OpCategory::Other;
}

const char* op_category_name(OpCategory c) {
  switch (c) {
    case OpCategory::Convolution: return "convolution";
    case OpCategory::MatMul: return "matrix product";
    case OpCategory::Activation: return "activation";
    case OpCategory::Normalization: return "normalization";
    case OpCategory::Pooling: return "pooling";
    case OpCategory::Elementwise: return "element-wise";
    case OpCategory::Shape: return "shape and data movement";
    case OpCategory::Reduction: return "reduction";
    case OpCategory::ControlFlow: return "control flow";
    case OpCategory::Constant: return "constant";
    case OpCategory::Fused: return "Kiln fused";
    case OpCategory::Other: return "other";
  }
  return "other";
}

}  // namespace kiln
