#pragma once
// ONNX (.onnx protobuf) -> kiln::Model. Any ir_version 1-14 and any opset; external data is
// memory-mapped, embedded raw_data is moved (not copied) out of the parsed message. Nodes may be
// in any order without a cycle (they are sorted). Fields newer than the compiled ONNX schema are
// kept as unknown fields and written back by export. Sparse initializers become dense
// initializers (their sparse form is kept in Graph::unknown_fields and written back while the
// weight is unchanged). Errors throw kiln::Error with a one-line message "PATH: reason".
#include <cstddef>
#include <string>

#include "core/ir/model.h"

namespace kiln {

struct ImportOptions {
  // Resolve external data now (memory-mapped). When false, such tensors keep only their
  // ExternalDataInfo and an empty buffer (enough for inspect/dump of structure).
  bool load_external_data = true;
};

Model load_model(const std::string& path, const ImportOptions& options = {});
// Parses an in-memory model; base_dir resolves external data; `label` names it in errors.
Model load_model_from_bytes(const void* data, size_t size, const std::string& label,
                            const std::string& base_dir = "", const ImportOptions& options = {});

}  // namespace kiln
