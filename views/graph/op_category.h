#pragma once
// Which family an operator belongs to; the graph view colours nodes by it, so a reader sees at a
// glance where the convolutions, the matrix products and the reshaping glue are.
#include <string_view>

namespace kiln {

enum class OpCategory {
  Convolution,
  MatMul,
  Activation,
  Normalization,
  Pooling,
  Elementwise,
  Shape,
  Reduction,
  ControlFlow,
  Constant,
  Fused,  // Kiln's own fused operators
  Other,
};

OpCategory op_category(std::string_view domain, std::string_view op_type);
const char* op_category_name(OpCategory c);

}  // namespace kiln
