#pragma once
// kiln::Model -> ONNX. Names, metadata, domains, doc strings and unknown fields are preserved.
// Tensors go to external data when asked, or automatically when the model would pass protobuf's
// 2 GB limit. Errors throw kiln::Error naming the path and the reason. A rewritten model (see
// is_rewritten) also writes each node's provenance as node metadata (onnx_format.h's
// kProvenanceKey), which import turns back into provenance.
#include <cstdint>
#include <string>

#include "core/ir/model.h"

namespace kiln {

struct ExportOptions {
  enum class ExternalData { Auto, Always, Never };
  ExternalData external_data = ExternalData::Auto;
  // With Always (or Auto past 2 GB), tensors of at least this many bytes go to the data file.
  int64_t external_min_bytes = 1024;
  // Data file name, relative to the model's folder; default "<model file name>.data".
  std::string external_file;
};

// Some node (subgraphs included) came from other nodes than itself, as after a pass rewrote it.
bool is_rewritten(const Graph& g);

void save_model(const Model& model, const std::string& path, const ExportOptions& options = {});
// The serialized ModelProto with every tensor embedded (throws if it would pass 2 GB).
std::string serialize_model(const Model& model);

}  // namespace kiln
