#include "core/ir/model.h"

namespace kiln {

namespace {
bool same_domain(std::string_view a, std::string_view b) {
  auto norm = [](std::string_view d) { return d == "ai.onnx" ? std::string_view() : d; };
  return norm(a) == norm(b);
}
}  // namespace

Model::Model() : graph(std::make_unique<Graph>()) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Model Model::clone() const {
  Model m;
  m.ir_version = ir_version;
  m.opsets = opsets;
  m.producer_name = producer_name;
  m.producer_version = producer_version;
  m.domain = domain;
  m.model_version = model_version;
  m.doc_string = doc_string;
  m.metadata_props = metadata_props;
  m.graph = graph->clone();
  m.functions = functions;
  m.training_info = training_info;
  m.unknown_fields = unknown_fields;
  m.source_path = source_path;
  return m;
}

int64_t Model::opset(std::string_view d) const {
  for (const OpsetImport& o : opsets)
    if (same_domain(o.domain, d)) return o.version;
  return -1;
}

void Model::set_opset(std::string_view d, int64_t version) {
  for (OpsetImport& o : opsets)
    if (same_domain(o.domain, d)) {
      o.version = version;
      return;
    }
  opsets.push_back({std::string(d), version});
}

}  // namespace kiln
