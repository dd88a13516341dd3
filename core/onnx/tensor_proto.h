#pragma once
// ONNX TensorProto / SparseTensorProto <-> kiln::Tensor, shared by import and export.
#include <memory>
#include <string_view>

#include <onnx/onnx_pb.h>

#include "core/ir/tensor.h"
#include "core/onnx/external_data.h"

namespace kiln::onnx_io {

// Converts and validates (element type, dims, data size); `what` names the tensor in errors.
// Consumes the proto's data: raw_data is moved into the Tensor (never copied) and typed fields
// (float_data, int32_data, ...) are freed as soon as they are packed, so an import never holds a
// weight twice. external == nullptr leaves external data unread: the tensor keeps its
// ExternalDataInfo and an empty buffer.
std::shared_ptr<const Tensor> tensor_from_proto(onnx::TensorProto& proto, ExternalDataReader* external,
                                                std::string_view what);

// A sparse tensor made dense (Kiln's passes and kernels read dense constants). Refuses dense
// results over 256 MiB, which a few kilobytes of sparse input could otherwise demand.
std::shared_ptr<const Tensor> tensor_from_sparse_proto(onnx::SparseTensorProto& proto,
                                                       ExternalDataReader* external, std::string_view what);

// Everything but the element data: name, type, dims, doc string, saved unknown fields.
void tensor_header_to_proto(const Tensor& tensor, onnx::TensorProto& proto);

// Bytes the tensor's data must have; throws kiln::Error naming `what` when it holds a different
// amount (or its external data was never loaded). 0 for String tensors.
size_t checked_data_size(const Tensor& tensor, std::string_view what);

// The whole tensor with its data embedded: raw_data for numbers, string_data for strings.
void tensor_to_proto(const Tensor& tensor, onnx::TensorProto& proto, std::string_view what);

}  // namespace kiln::onnx_io
