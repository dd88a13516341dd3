#pragma once
// ONNX TypeProto <-> kiln::ValueType. Tensor types become typed shapes; every other kind
// (sequence, map, optional, sparse tensor) travels as its serialized TypeProto.
#include <onnx/onnx_pb.h>

#include "core/ir/type.h"

namespace kiln::onnx_io {

ValueType value_type_from_proto(const onnx::TypeProto& proto);
void value_type_to_proto(const ValueType& type, onnx::TypeProto& proto);
// False for a type with nothing to write (unknown, no denotation): ONNX then omits the field.
inline bool has_type_proto(const ValueType& type) { return type.is_known() || !type.denotation.empty(); }

}  // namespace kiln::onnx_io
