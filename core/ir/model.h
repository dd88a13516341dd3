#pragma once
// A model: the main graph plus everything ONNX's ModelProto carries around it. Function
// definitions and training info have no meaning for Kiln's passes and are kept as serialized
// protos, so a round trip never drops them.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ir/graph.h"

namespace kiln {

struct OpsetImport {
  std::string domain;  // "" is the default ONNX domain
  int64_t version = 0;
};

struct Model {
  int64_t ir_version = 8;
  std::vector<OpsetImport> opsets;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc_string;
  std::vector<std::pair<std::string, std::string>> metadata_props;
  std::unique_ptr<Graph> graph;
  std::vector<std::string> functions;      // serialized FunctionProto
  std::vector<std::string> training_info;  // serialized TrainingInfoProto
  std::string unknown_fields;
  std::string source_path;  // the file it was loaded from, if any

  Model();
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  // A snapshot: structure copied, weight buffers shared (cheap even for very large models).
  Model clone() const;
  // Opset version imported for a domain ("" and "ai.onnx" are the same); -1 if not imported.
  int64_t opset(std::string_view domain) const;
  void set_opset(std::string_view domain, int64_t version);
};

}  // namespace kiln
