#include "core/onnx/type_proto.h"

#include "core/util/error.h"

namespace kiln::onnx_io {

ValueType value_type_from_proto(const onnx::TypeProto& proto) {
  ValueType t;
  t.denotation = proto.denotation();
  if (proto.value_case() != onnx::TypeProto::kTensorType) {
    if (proto.value_case() == onnx::TypeProto::VALUE_NOT_SET && proto.unknown_fields().empty())
      return t;
    t.kind = ValueType::Kind::Other;
    proto.SerializeToString(&t.other);
    return t;
  }
  const onnx::TypeProto::Tensor& tensor = proto.tensor_type();
  t.kind = ValueType::Kind::Tensor;
  // Codes newer than Kiln's table are kept as they are (see dtype.h).
  t.dtype = static_cast<DataType>(tensor.elem_type());
  if (tensor.has_shape()) {
    Shape shape;
    shape.dims.reserve(static_cast<size_t>(tensor.shape().dim_size()));
    for (const onnx::TensorShapeProto::Dimension& d : tensor.shape().dim()) {
      Dim dim;
      if (d.has_dim_value() && d.dim_value() >= 0) dim.value = d.dim_value();
      else if (d.has_dim_param()) dim.symbol = d.dim_param();
      dim.denotation = d.denotation();
      shape.dims.push_back(std::move(dim));
    }
    t.shape = std::move(shape);
  }
  return t;
}

void value_type_to_proto(const ValueType& type, onnx::TypeProto& proto) {
  switch (type.kind) {
    case ValueType::Kind::Unknown:
      break;
    case ValueType::Kind::Other:
      if (!proto.ParseFromString(type.other)) fail("a non-tensor value type is not a valid TypeProto");
      break;
    case ValueType::Kind::Tensor: {
      onnx::TypeProto::Tensor* tensor = proto.mutable_tensor_type();
      tensor->set_elem_type(static_cast<int32_t>(type.dtype));
      if (type.shape) {
        onnx::TensorShapeProto* shape = tensor->mutable_shape();
        for (const Dim& d : type.shape->dims) {
          onnx::TensorShapeProto::Dimension* dim = shape->add_dim();
          if (d.is_known()) dim->set_dim_value(d.value);
          else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
          if (!d.denotation.empty()) dim->set_denotation(d.denotation);
        }
      }
      break;
    }
  }
  if (!type.denotation.empty()) proto.set_denotation(type.denotation);
}

}  // namespace kiln::onnx_io
