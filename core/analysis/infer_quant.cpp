// Inference rules for quantization ops: (De)QuantizeLinear, DynamicQuantizeLinear and the
// quantized / integer forms of Conv and MatMul.
#include "core/analysis/infer_context.h"
#include "core/analysis/infer_shared.h"

namespace kiln::analysis {

namespace {

ValueType tensor_of(DataType dt, const Shape* s) {
  return s ? ValueType::tensor(dt, *s) : ValueType::tensor(dt);
}

void quantize(InferContext& c) {
  DataType dt = c.dtype(2);  // the zero point's type decides
  if (dt == DataType::Undefined && !c.has_input(2)) {
    auto attr = static_cast<int32_t>(c.node().attr_int("output_dtype", 0));
    dt = dtype_is_known(attr) ? static_cast<DataType>(attr) : DataType::UInt8;
  }
  c.set(0, tensor_of(dt, c.shape(0)));
}

void dequantize(InferContext& c) {
  auto attr = static_cast<int32_t>(c.node().attr_int("output_dtype", 0));
  DataType dt = dtype_is_known(attr) ? static_cast<DataType>(attr) : c.dtype(1);
  c.set(0, tensor_of(dt, c.shape(0)));
}

void dynamic_quantize(InferContext& c) {
  c.set(0, tensor_of(DataType::UInt8, c.shape(0)));
  c.set(1, DataType::Float32, Shape());
  c.set(2, DataType::UInt8, Shape());
}

void conv_like(InferContext& c, size_t x, size_t w, DataType dt) {
  auto s = conv_output_shape(c, x, w);
  c.set(0, s ? ValueType::tensor(dt, std::move(*s)) : ValueType::tensor(dt));
}

void qlinear_conv(InferContext& c) {
  DataType dt = c.dtype(7) != DataType::Undefined ? c.dtype(7) : c.dtype(0);
  conv_like(c, 0, 3, dt);
}

void conv_integer(InferContext& c) { conv_like(c, 0, 1, DataType::Int32); }

void qlinear_matmul(InferContext& c) {
  DataType dt = c.dtype(7) != DataType::Undefined ? c.dtype(7) : c.dtype(0);
  const Shape* a = c.shape(0);
  const Shape* b = c.shape(3);
  std::optional<Shape> out;
  if (a && b) out = matmul_output_shape(c, *a, *b);
  c.set(0, out ? ValueType::tensor(dt, std::move(*out)) : ValueType::tensor(dt));
}

}  // namespace

void add_quant_rules(RuleTable& t) {
  t.add("QuantizeLinear", 10, quantize);
  t.add("DequantizeLinear", 10, dequantize);
  t.add("DynamicQuantizeLinear", 11, dynamic_quantize);
  t.add("QLinearConv", 10, qlinear_conv);
  t.add("QLinearMatMul", 10, qlinear_matmul);
  t.add("ConvInteger", 10, conv_integer);
}

}  // namespace kiln::analysis
