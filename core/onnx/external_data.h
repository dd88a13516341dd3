#pragma once
// ONNX external data: tensor bytes stored in a separate file next to the model, named by the
// TensorProto's external_data entries (location, offset, length, checksum). Reading memory-maps
// each data file once and hands out views into it.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <onnx/onnx_pb.h>

#include "core/ir/tensor.h"
#include "core/util/mapped_file.h"

namespace kiln::onnx_io {

// Reads a TensorProto's external_data entries. Throws kiln::Error naming the tensor when offset
// or length is not a non-negative number or the location is unsafe (see check_location).
ExternalDataInfo external_info_from_proto(const onnx::TensorProto& proto, std::string_view what);

// A location must stay inside the model's folder: not empty, not absolute, no ".." component.
// (Symbolic links are followed, not judged: model caches such as Hugging Face's link data files
// to blobs stored elsewhere.) Throws kiln::Error naming `what` otherwise.
void check_location(std::string_view location, std::string_view what);

class ExternalDataReader {
 public:
  // base_dir: the model's folder; "" when the model has none (given as bytes), in which case
  // every external reference is an error.
  explicit ExternalDataReader(std::string base_dir);

  // The bytes described by info. A view into the mapped file when the region is aligned for
  // elements of `alignment` bytes (so typed reads are well-defined), otherwise a copy.
  std::shared_ptr<const Buffer> read(const ExternalDataInfo& info, std::string_view what,
                                     size_t alignment);

 private:
  std::string base_dir_;
  std::unordered_map<std::string, std::shared_ptr<const MappedFile>> files_;
};

}  // namespace kiln::onnx_io
