#include "core/onnx/onnx_export.h"

#include <new>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>
#include <onnx/onnx_pb.h>

#include "core/onnx/atomic_file.h"
#include "core/onnx/external_data.h"
#include "core/onnx/onnx_format.h"
#include "core/onnx/tensor_proto.h"
#include "core/onnx/type_proto.h"
#include "core/onnx/unknown_fields.h"
#include "core/util/error.h"

namespace kiln {

namespace {

using onnx_io::restore_fields;

constexpr uint64_t kExternalAlignment = 64;

// Tensors bound for the external data file, in file order.
struct ExternalPlan {
  std::string location;
  int64_t min_bytes = 0;
  struct Chunk {
    const Tensor* tensor;
    uint64_t offset;
    size_t size;
  };
  std::vector<Chunk> chunks;
  uint64_t end = 0;

  uint64_t place(const Tensor& t, size_t size) {
    uint64_t offset = (end + kExternalAlignment - 1) / kExternalAlignment * kExternalAlignment;
    chunks.push_back({&t, offset, size});
    end = offset + size;
    return offset;
  }
};

// A main-graph initializer kept out of the GraphProto and written later, its raw data straight
// from its buffer: protobuf would otherwise copy every weight into the message first.
struct DeferredTensor {
  std::string header;  // the serialized TensorProto, less raw_data when size > 0
  const Tensor* tensor;
  size_t size;         // raw_data bytes to append from the tensor's buffer
};

// The serialized model in pieces: ModelProto without its graph, the GraphProto without the
// deferred initializers, then those. Protobuf readers accept fields in any order, and
// concatenated pieces of a message merge, so writing them one after the other is one ModelProto.
struct ModelParts {
  std::string model;
  std::string graph;
  std::vector<DeferredTensor> initializers;

  static size_t varint_size(uint64_t v) { return google::protobuf::io::CodedOutputStream::VarintSize64(v); }
  static size_t raw_field_size(size_t n) { return n ? 1 + varint_size(n) + n : 0; }
  static size_t entry_size(const DeferredTensor& d) {
    size_t len = d.header.size() + raw_field_size(d.size);
    return 1 + varint_size(len) + len;
  }
  uint64_t graph_size() const {
    uint64_t n = graph.size();
    for (const DeferredTensor& d : initializers) n += entry_size(d);
    return n;
  }
  uint64_t total_size() const { return model.size() + 1 + varint_size(graph_size()) + graph_size(); }
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const void* data, size_t size) = 0;
};

class StringSink : public Sink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  void write(const void* data, size_t size) override { out_.append(static_cast<const char*>(data), size); }

 private:
  std::string& out_;
};

class FileSink : public Sink {
 public:
  explicit FileSink(onnx_io::AtomicFile& file) : file_(file) {}
  void write(const void* data, size_t size) override { file_.write(data, size); }

 private:
  onnx_io::AtomicFile& file_;
};

void write_tag_and_length(Sink& sink, int field, uint64_t length) {
  using google::protobuf::io::CodedOutputStream;
  uint8_t head[16];
  uint8_t* end = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(field) << 3 | 2u, head);
  end = CodedOutputStream::WriteVarint64ToArray(length, end);
  sink.write(head, static_cast<size_t>(end - head));
}

void write_parts(const ModelParts& parts, Sink& sink) {
  sink.write(parts.model.data(), parts.model.size());
  write_tag_and_length(sink, onnx_io::kModelGraph, parts.graph_size());
  sink.write(parts.graph.data(), parts.graph.size());
  for (const DeferredTensor& d : parts.initializers) {
    write_tag_and_length(sink, onnx_io::kGraphInitializer, d.header.size() + ModelParts::raw_field_size(d.size));
    sink.write(d.header.data(), d.header.size());
    if (d.size == 0) continue;
    write_tag_and_length(sink, onnx_io::kTensorRawData, d.size);
    sink.write(d.tensor->raw(), d.size);
  }
}

std::string serialize_message(const google::protobuf::Message& m, std::string_view what) {
  if (m.ByteSizeLong() > static_cast<size_t>(onnx_io::kMaxProtoBytes))
    fail(what, " is over protobuf's 2 GB limit even without the main graph's initializers");
  return m.SerializeAsString();
}

void add_metadata(google::protobuf::UnknownFieldSet* set, int field,
                  const std::vector<std::pair<std::string, std::string>>& props) {
  for (const auto& [key, value] : props) {
    onnx::StringStringEntryProto e;
    e.set_key(key);
    e.set_value(value);
    set->AddLengthDelimited(field, e.SerializeAsString());
  }
}

// True when the dense initializer still holds exactly what the stashed sparse one says, so the
// sparse form can be written back instead.
bool sparse_still_matches(const onnx::SparseTensorProto& sparse, const Tensor& dense) {
  onnx::SparseTensorProto copy = sparse;
  try {
    auto t = onnx_io::tensor_from_sparse_proto(copy, nullptr, "sparse initializer");
    return t->dtype == dense.dtype && t->dims == dense.dims && t->byte_size() == dense.byte_size() &&
           std::equal(t->raw(), t->raw() + t->byte_size(), dense.raw());
  } catch (const Error&) {
    return false;
  }
}

std::string join_ids(const std::vector<NodeId>& ids) {
  std::string s;
  for (NodeId id : ids) {
    if (!s.empty()) s += ',';
    s += std::to_string(id);
  }
  return s;
}

class Exporter {
 public:
  // A rewritten model writes every node's provenance: importing renumbers nodes, so even an
  // untouched node's own id would otherwise stop naming its original. A model as imported writes
  // none, so plain round trips stay byte-identical.
  Exporter(const Model& model, ExternalPlan* plan)
      : model_(model), plan_(plan), write_provenance_(model.graph && is_rewritten(*model.graph)) {}

  ModelParts build();

 private:
  void export_graph(const Graph& g, onnx::GraphProto& gp, std::vector<DeferredTensor>* deferred);
  void export_node(const Node& n, onnx::NodeProto& np);
  void export_attribute(const Attribute& a, onnx::AttributeProto& ap, const std::string& what);
  // Fills tp; with defer_raw, embedded numeric data is left out and its size returned, for the
  // caller to write straight from the buffer.
  size_t export_initializer(const Tensor& t, onnx::TensorProto& tp, bool defer_raw);
  void value_info_to_proto(const Value& v, onnx::ValueInfoProto& vi);
  bool goes_external(const Tensor& t, size_t size) const {
    return plan_ && t.dtype != DataType::String && static_cast<int64_t>(size) >= plan_->min_bytes;
  }

  const Model& model_;
  ExternalPlan* plan_;
  bool write_provenance_;
};

ModelParts Exporter::build() {
  if (!model_.graph) fail("the model has no graph");
  onnx::ModelProto mp;
  mp.set_ir_version(model_.ir_version);
  for (const OpsetImport& o : model_.opsets) {
    onnx::OperatorSetIdProto* op = mp.add_opset_import();
    op->set_domain(o.domain);
    op->set_version(o.version);
  }
  if (!model_.producer_name.empty()) mp.set_producer_name(model_.producer_name);
  if (!model_.producer_version.empty()) mp.set_producer_version(model_.producer_version);
  if (!model_.domain.empty()) mp.set_domain(model_.domain);
  if (model_.model_version != 0) mp.set_model_version(model_.model_version);
  if (!model_.doc_string.empty()) mp.set_doc_string(model_.doc_string);
  for (const auto& [key, value] : model_.metadata_props) {
    onnx::StringStringEntryProto* e = mp.add_metadata_props();
    e->set_key(key);
    e->set_value(value);
  }
  for (const std::string& f : model_.functions)
    if (!mp.add_functions()->ParseFromString(f)) fail("a saved function definition is not a valid FunctionProto");
  for (const std::string& t : model_.training_info)
    if (!mp.add_training_info()->ParseFromString(t)) fail("saved training info is not a valid TrainingInfoProto");
  restore_fields(model_.unknown_fields, mp, "the model");

  ModelParts parts;
  onnx::GraphProto gp;
  export_graph(*model_.graph, gp, &parts.initializers);
  parts.model = serialize_message(mp, "the model");
  parts.graph = serialize_message(gp, "the main graph");
  return parts;
}

void Exporter::value_info_to_proto(const Value& v, onnx::ValueInfoProto& vi) {
  vi.set_name(v.name());
  if (onnx_io::has_type_proto(v.type)) onnx_io::value_type_to_proto(v.type, *vi.mutable_type());
  if (!v.doc_string.empty()) vi.set_doc_string(v.doc_string);
  restore_fields(v.unknown_fields, vi, "value '" + v.name() + "'");
}

void Exporter::export_graph(const Graph& g, onnx::GraphProto& gp, std::vector<DeferredTensor>* deferred) {
  if (!g.name.empty()) gp.set_name(g.name);
  if (!g.doc_string.empty()) gp.set_doc_string(g.doc_string);
  restore_fields(g.unknown_fields, gp, "graph '" + g.name + "'");
  add_metadata(gp.mutable_unknown_fields(), onnx_io::kGraphMetadataProps, g.metadata_props);

  // Sparse initializers came back from unknown_fields; keep those whose dense twin is unchanged.
  std::unordered_set<std::string> sparse_names;
  if (gp.sparse_initializer_size() > 0) {
    google::protobuf::RepeatedPtrField<onnx::SparseTensorProto> kept;
    for (onnx::SparseTensorProto& sp : *gp.mutable_sparse_initializer()) {
      const Value* v = g.find_value(sp.values().name());
      if (v && v->initializer() && sparse_still_matches(sp, *v->initializer())) {
        sparse_names.insert(v->name());
        kept.Add(std::move(sp));
      }
    }
    gp.mutable_sparse_initializer()->Swap(&kept);
  }

  for (const Value* v : g.inputs()) value_info_to_proto(*v, *gp.add_input());
  // Before IR 4 every initializer of the main graph had to be a graph input too. (Not in bodies:
  // Loop and Scan bind body inputs by position.)
  // Such an initializer's declaration (a value_info entry) moves to its input entry, where a
  // reader looks for it; written in both places, reading it back would drop one and the next
  // export would differ.
  const bool initializers_are_inputs = deferred != nullptr && model_.ir_version < 4;
  if (initializers_are_inputs) {
    for (const Value* v : g.initializers())
      if (!v->is_graph_input() && !sparse_names.count(v->name())) value_info_to_proto(*v, *gp.add_input());
  }
  for (const Value* v : g.initializers()) {
    if (sparse_names.count(v->name())) continue;
    const Tensor& t = *v->initializer();
    onnx::TensorProto header;
    onnx::TensorProto& tp = deferred ? header : *gp.add_initializer();
    size_t raw = export_initializer(t, tp, deferred != nullptr);
    tp.set_name(v->name());
    // All of them, not only the large ones, so the initializers keep their order.
    if (deferred) deferred->push_back({header.SerializeAsString(), &t, raw});
  }
  for (const Node* n : g.nodes()) export_node(*n, *gp.add_node());
  for (const Value* v : g.outputs()) value_info_to_proto(*v, *gp.add_output());
  g.for_each_value([&](const Value* v) {
    if (v->is_graph_input() || v->is_graph_output()) return;
    if (initializers_are_inputs && v->initializer() && !sparse_names.count(v->name())) return;
    bool node_output = v->producer() != nullptr;
    if (v->has_value_info || (node_output && v->type.is_known())) value_info_to_proto(*v, *gp.add_value_info());
  });
}

size_t Exporter::export_initializer(const Tensor& t, onnx::TensorProto& tp, bool defer_raw) {
  std::string what = "initializer '" + t.name + "'";
  size_t size = onnx_io::checked_data_size(t, what);
  if (!goes_external(t, size)) {
    if (defer_raw && t.dtype != DataType::String) {
      onnx_io::tensor_header_to_proto(t, tp);
      return size;
    }
    onnx_io::tensor_to_proto(t, tp, what);
    return 0;
  }
  onnx_io::tensor_header_to_proto(t, tp);
  uint64_t offset = plan_->place(t, size);
  tp.set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto entry = [&](const char* key, const std::string& value) {
    onnx::StringStringEntryProto* e = tp.add_external_data();
    e->set_key(key);
    e->set_value(value);
  };
  entry("location", plan_->location);
  entry("offset", std::to_string(offset));
  entry("length", std::to_string(size));
  // The checksum describes the bytes, which a Tensor never changes.
  if (t.external && !t.external->checksum.empty()) entry("checksum", t.external->checksum);
  return 0;
}

void Exporter::export_node(const Node& n, onnx::NodeProto& np) {
  for (const Value* in : n.inputs()) np.add_input(in ? in->name() : std::string());
  for (const Value* out : n.outputs()) np.add_output(out ? out->name() : std::string());
  if (!n.name.empty()) np.set_name(n.name);
  np.set_op_type(n.op_type);
  if (!n.domain.empty()) np.set_domain(n.domain);
  if (!n.doc_string.empty()) np.set_doc_string(n.doc_string);
  std::string what = "node '";
  if (n.name.empty()) {
    what += '#';
    what += std::to_string(n.id());
  } else {
    what += n.name;
  }
  what += "' (" + n.op_type + ")";
  for (const Attribute& a : n.attrs()) export_attribute(a, *np.add_attribute(), "attribute '" + a.name + "' of " + what);
  restore_fields(n.unknown_fields, np, what);
  google::protobuf::UnknownFieldSet* unknown = np.mutable_unknown_fields();
  if (!n.overload.empty()) unknown->AddLengthDelimited(onnx_io::kNodeOverload, n.overload);
  add_metadata(unknown, onnx_io::kNodeMetadataProps, n.metadata_props);
  if (write_provenance_) add_metadata(unknown, onnx_io::kNodeMetadataProps, {{onnx_io::kProvenanceKey, join_ids(n.provenance)}});
}

void Exporter::export_attribute(const Attribute& a, onnx::AttributeProto& ap, const std::string& what) {
  ap.set_name(a.name);
  auto code = static_cast<int>(a.kind);
  if (a.kind != AttrKind::Undefined && onnx::AttributeProto_AttributeType_IsValid(code))
    ap.set_type(static_cast<onnx::AttributeProto_AttributeType>(code));
  if (!a.ref_attr_name.empty()) ap.set_ref_attr_name(a.ref_attr_name);
  if (!a.doc_string.empty()) ap.set_doc_string(a.doc_string);
  auto parse_opaque = [&](google::protobuf::Message& m, const std::string& bytes) {
    if (!m.ParseFromString(bytes)) fail(what, ": saved ", attr_kind_name(a.kind), " value is not a valid protobuf");
  };
  switch (a.kind) {
    case AttrKind::Float: ap.set_f(a.f); break;
    case AttrKind::Int: ap.set_i(a.i); break;
    case AttrKind::String: ap.set_s(a.s); break;
    case AttrKind::Floats: ap.mutable_floats()->Add(a.floats.begin(), a.floats.end()); break;
    case AttrKind::Ints: ap.mutable_ints()->Add(a.ints.begin(), a.ints.end()); break;
    case AttrKind::Strings:
      for (const std::string& s : a.strings) ap.add_strings(s);
      break;
    case AttrKind::Tensor:
      if (a.tensor()) onnx_io::tensor_to_proto(*a.tensor(), *ap.mutable_t(), what);
      break;
    case AttrKind::Tensors:
      for (const auto& t : a.tensors) onnx_io::tensor_to_proto(*t, *ap.add_tensors(), what);
      break;
    case AttrKind::Graph:
      if (a.graph()) export_graph(*a.graph(), *ap.mutable_g(), nullptr);
      break;
    case AttrKind::Graphs:
      for (const auto& g : a.graphs) export_graph(*g, *ap.add_graphs(), nullptr);
      break;
    case AttrKind::SparseTensor:
      if (!a.opaque.empty()) parse_opaque(*ap.mutable_sparse_tensor(), a.opaque[0]);
      break;
    case AttrKind::SparseTensors:
      for (const std::string& s : a.opaque) parse_opaque(*ap.add_sparse_tensors(), s);
      break;
    case AttrKind::TypeProto:
      if (!a.opaque.empty()) parse_opaque(*ap.mutable_tp(), a.opaque[0]);
      break;
    case AttrKind::TypeProtos:
      for (const std::string& s : a.opaque) parse_opaque(*ap.add_type_protos(), s);
      break;
    case AttrKind::Undefined: break;
  }
  restore_fields(a.unknown_fields, ap, what);
}

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dir_prefix(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::string too_big(uint64_t size) {
  return std::string("the model is ") + std::to_string(size) + " bytes, over protobuf's 2 GB limit";
}

void save(const Model& model, const std::string& path, const ExportOptions& options) {
  using Mode = ExportOptions::ExternalData;
  ExternalPlan plan;
  plan.min_bytes = options.external_min_bytes;
  plan.location = options.external_file.empty() ? base_name(path) + ".data" : options.external_file;
  bool external = options.external_data == Mode::Always;
  ModelParts parts;
  if (!external) {
    parts = Exporter(model, nullptr).build();
    // Auto: past the limit, the same model with its large tensors moved out.
    if (parts.total_size() > static_cast<uint64_t>(onnx_io::kMaxProtoBytes)) {
      if (options.external_data == Mode::Never) fail(too_big(parts.total_size()), "; save it with external data");
      external = true;
    }
  }
  std::unique_ptr<onnx_io::AtomicFile> data_file;
  if (external) {
    onnx_io::check_location(plan.location, "external data file");
    parts = Exporter(model, &plan).build();
    if (parts.total_size() > static_cast<uint64_t>(onnx_io::kMaxProtoBytes))
      fail(too_big(parts.total_size()), " even with tensors of ", std::to_string(plan.min_bytes),
           " bytes or more stored as external data");
    if (!plan.chunks.empty()) {
      data_file = std::make_unique<onnx_io::AtomicFile>(dir_prefix(path) + plan.location);
      for (const ExternalPlan::Chunk& c : plan.chunks) {
        data_file->pad_to(c.offset);
        data_file->write(c.tensor->raw(), c.size);
      }
      data_file->finish();
    }
  }
  onnx_io::AtomicFile model_file(path);
  FileSink sink(model_file);
  write_parts(parts, sink);
  model_file.finish();
  if (data_file) data_file->commit();
  model_file.commit();
}

}  // namespace

bool is_rewritten(const Graph& g) {
  bool any = false;
  g.for_each_node([&](const Node* n) {
    if (any) return;
    any = n->provenance.size() != 1 || n->provenance[0] != n->id();
    for (const Graph* sub : n->subgraphs()) any = any || is_rewritten(*sub);
  });
  return any;
}

void save_model(const Model& model, const std::string& path, const ExportOptions& options) {
  try {
    save(model, path, options);
  } catch (const Error& e) {
    std::string msg = e.what();
    // AtomicFile already names the file it failed on.
    if (msg.rfind(path, 0) == 0) throw;
    throw Error(path + ": " + msg);
  } catch (const std::bad_alloc&) {
    throw Error(path + ": out of memory while exporting");
  }
}

std::string serialize_model(const Model& model) {
  ModelParts parts = Exporter(model, nullptr).build();
  uint64_t total = parts.total_size();
  if (total > static_cast<uint64_t>(onnx_io::kMaxProtoBytes))
    fail(too_big(total), "; save it to a file with external data instead");
  std::string out;
  out.reserve(static_cast<size_t>(total));
  StringSink sink(out);
  write_parts(parts, sink);
  return out;
}

}  // namespace kiln
