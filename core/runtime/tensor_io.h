#pragma once
// Tensors in and out of files: ONNX TensorProto (.pb, the layout of ONNX's own test data) and
// NumPy .npy (format versions 1-3, little-endian, C order). Bad files throw kiln::Error naming
// the file and the reason.
#include <string>

#include "core/ir/tensor.h"

namespace kiln {

// By extension: ".npy" is NumPy, anything else a serialized TensorProto. A .npy tensor is named
// after the file's stem.
Tensor read_tensor_file(const std::string& path);
Tensor read_tensor_pb(const std::string& path);
Tensor read_npy(const std::string& path);

void write_tensor_pb(const Tensor& t, const std::string& path);
// Numeric and bool tensors only (NumPy has no fixed-size string type Kiln writes).
void write_npy(const Tensor& t, const std::string& path);

}  // namespace kiln
