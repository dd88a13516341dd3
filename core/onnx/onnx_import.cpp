#include "core/onnx/onnx_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>

#include "core/onnx/external_data.h"
#include "core/onnx/onnx_format.h"
#include "core/onnx/tensor_proto.h"
#include "core/onnx/type_proto.h"
#include "core/onnx/unknown_fields.h"
#include "core/util/error.h"

namespace kiln {

namespace {

using onnx_io::take_unknown_fields;
using onnx_io::take_unknown_payloads;

std::string node_label(const onnx::NodeProto& n, size_t index) {
  std::string s = "node '";
  if (n.name().empty()) {
    s += '#';
    s += std::to_string(index);
  } else {
    s += n.name();
  }
  s += "' (";
  s += n.op_type();
  s += ")";
  return s;
}

std::pair<std::string, std::string> metadata_entry(const std::string& payload, std::string_view what) {
  onnx::StringStringEntryProto e;
  if (!e.ParseFromString(payload)) fail(what, ": a metadata_props entry is malformed");
  return {e.key(), e.value()};
}

// "4,5" -> {4, 5}; nullopt unless the text is a non-empty list of non-negative integers.
std::optional<std::vector<NodeId>> parse_ids(std::string_view text) {
  std::vector<NodeId> ids;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(text.find(',', start), text.size());
    NodeId v = 0;
    auto r = std::from_chars(text.data() + start, text.data() + end, v);
    if (start == end || r.ec != std::errc() || r.ptr != text.data() + end) return std::nullopt;
    ids.push_back(v);
    if (end == text.size()) break;
    start = end + 1;
  }
  return ids;
}

// ONNX's first writers left AttributeProto.type unset; the kind is then the field in use.
AttrKind attr_kind_of(const onnx::AttributeProto& a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED) return static_cast<AttrKind>(a.type());
  if (a.has_f()) return AttrKind::Float;
  if (a.has_i()) return AttrKind::Int;
  if (a.has_s()) return AttrKind::String;
  if (a.has_t()) return AttrKind::Tensor;
  if (a.has_g()) return AttrKind::Graph;
  if (a.has_sparse_tensor()) return AttrKind::SparseTensor;
  if (a.has_tp()) return AttrKind::TypeProto;
  if (a.floats_size()) return AttrKind::Floats;
  if (a.ints_size()) return AttrKind::Ints;
  if (a.strings_size()) return AttrKind::Strings;
  if (a.tensors_size()) return AttrKind::Tensors;
  if (a.graphs_size()) return AttrKind::Graphs;
  if (a.sparse_tensors_size()) return AttrKind::SparseTensors;
  if (a.type_protos_size()) return AttrKind::TypeProtos;
  return AttrKind::Undefined;
}

std::vector<const onnx::GraphProto*> subgraphs_of(const onnx::NodeProto& n) {
  std::vector<const onnx::GraphProto*> out;
  for (const onnx::AttributeProto& a : n.attribute()) {
    AttrKind k = attr_kind_of(a);
    if (k == AttrKind::Graph) out.push_back(&a.g());
    if (k == AttrKind::Graphs)
      for (const onnx::GraphProto& g : a.graphs()) out.push_back(&g);
  }
  return out;
}

// Names a subgraph (or its own subgraphs) reads without defining them: they come from an
// enclosing scope, so the node holding the subgraph depends on their producers.
void collect_outer_refs(const onnx::GraphProto& g, std::vector<std::string_view>& refs) {
  std::unordered_set<std::string_view> defined;
  for (const onnx::ValueInfoProto& v : g.input()) defined.insert(v.name());
  for (const onnx::TensorProto& t : g.initializer()) defined.insert(t.name());
  for (const onnx::SparseTensorProto& t : g.sparse_initializer()) defined.insert(t.values().name());
  for (const onnx::NodeProto& n : g.node())
    for (const std::string& o : n.output()) defined.insert(o);
  auto note = [&](std::string_view name) {
    if (!name.empty() && !defined.count(name)) refs.push_back(name);
  };
  for (const onnx::NodeProto& n : g.node()) {
    for (const std::string& in : n.input()) note(in);
    for (const onnx::GraphProto* sg : subgraphs_of(n)) {
      std::vector<std::string_view> inner;
      collect_outer_refs(*sg, inner);
      for (std::string_view name : inner) note(name);
    }
  }
  for (const onnx::ValueInfoProto& v : g.output()) note(v.name());
}

class Importer {
 public:
  explicit Importer(onnx_io::ExternalDataReader* external) : external_(external) {}

  Model run(onnx::ModelProto& mp);

 private:
  void import_graph(onnx::GraphProto& gp, Graph& g, int depth);
  void import_node(onnx::NodeProto& np, size_t index, Graph& g, int depth);
  Attribute import_attribute(onnx::AttributeProto& ap, Graph& owner, const std::string& node, int depth);
  std::unique_ptr<Graph> import_subgraph(onnx::GraphProto& gp, Graph& owner, const std::string& what, int depth);
  std::vector<size_t> node_order(const onnx::GraphProto& gp, const Graph& g) const;
  bool defined_in_enclosing_scope(const std::string& name) const;
  Value* resolve_input(Graph& g, const std::string& name, const std::string& node);

  onnx_io::ExternalDataReader* external_;
  std::vector<const Graph*> scopes_;  // graphs enclosing the one being imported, outermost first
  NodeId next_id_ = 0;
};

Model Importer::run(onnx::ModelProto& mp) {
  if (!mp.has_ir_version()) fail("not an ONNX model: ir_version is missing");
  if (mp.ir_version() < 1 || mp.ir_version() > onnx_io::kMaxIrVersion)
    fail("unsupported ir_version ", std::to_string(mp.ir_version()), " (Kiln reads 1..",
         std::to_string(onnx_io::kMaxIrVersion), ")");
  if (!mp.has_graph()) fail("model has no graph");
  Model m;
  m.ir_version = mp.ir_version();
  for (const onnx::OperatorSetIdProto& o : mp.opset_import()) m.opsets.push_back({o.domain(), o.version()});
  m.producer_name = mp.producer_name();
  m.producer_version = mp.producer_version();
  m.domain = mp.domain();
  m.model_version = mp.model_version();
  m.doc_string = mp.doc_string();
  for (const onnx::StringStringEntryProto& e : mp.metadata_props()) m.metadata_props.emplace_back(e.key(), e.value());
  for (const onnx::FunctionProto& f : mp.functions()) m.functions.push_back(f.SerializeAsString());
  for (const onnx::TrainingInfoProto& t : mp.training_info()) m.training_info.push_back(t.SerializeAsString());
  m.unknown_fields = take_unknown_fields(mp);
  import_graph(*mp.mutable_graph(), *m.graph, 0);
  std::vector<std::string> problems = m.graph->verify();
  if (!problems.empty()) fail(problems.front());
  return m;
}

void Importer::import_graph(onnx::GraphProto& gp, Graph& g, int depth) {
  g.name = gp.name();
  g.doc_string = gp.doc_string();
  for (const std::string& p : take_unknown_payloads(gp, onnx_io::kGraphMetadataProps))
    g.metadata_props.push_back(metadata_entry(p, "graph"));
  g.unknown_fields = take_unknown_fields(gp);
  // The IR has no slot for these; they ride along in unknown_fields (see unknown_fields.h).
  for (const onnx::TensorAnnotation& qa : gp.quantization_annotation())
    onnx_io::append_length_delimited(g.unknown_fields, onnx_io::kGraphQuantizationAnnotation, qa.SerializeAsString());

  for (int i = 0; i < gp.input_size(); ++i) {
    onnx::ValueInfoProto& vi = *gp.mutable_input(i);
    if (vi.name().empty()) fail("graph input #", std::to_string(i), " has no name");
    Value* v = g.add_input(vi.name(), vi.has_type() ? onnx_io::value_type_from_proto(vi.type()) : ValueType{});
    v->doc_string = vi.doc_string();
    v->unknown_fields = take_unknown_fields(vi);
  }
  for (int i = 0; i < gp.initializer_size(); ++i) {
    onnx::TensorProto& tp = *gp.mutable_initializer(i);
    if (tp.name().empty()) fail("initializer #", std::to_string(i), " has no name");
    g.add_initializer(onnx_io::tensor_from_proto(tp, external_, "initializer '" + tp.name() + "'"));
  }
  for (onnx::SparseTensorProto& sp : *gp.mutable_sparse_initializer()) {
    // Kept verbatim for export; the graph sees it dense, like any other constant.
    onnx_io::append_length_delimited(g.unknown_fields, onnx_io::kGraphSparseInitializer, sp.SerializeAsString());
    std::string name = sp.values().name();
    if (name.empty()) fail("a sparse initializer has no name");
    g.add_initializer(onnx_io::tensor_from_sparse_proto(sp, external_, "sparse initializer '" + name + "'"));
  }

  for (size_t index : node_order(gp, g)) import_node(*gp.mutable_node(static_cast<int>(index)), index, g, depth);

  for (int i = 0; i < gp.output_size(); ++i) {
    onnx::ValueInfoProto& vi = *gp.mutable_output(i);
    if (vi.name().empty()) fail("graph output #", std::to_string(i), " has no name");
    Value* v = g.find_value(vi.name());
    // A subgraph may return a value of an enclosing scope as is.
    if (!v && defined_in_enclosing_scope(vi.name())) v = g.add_capture(vi.name());
    if (!v) fail("graph output '", vi.name(), "' is never defined");
    g.add_output(v);
    // Declared here unless declared already; an initializer's type is known without a
    // declaration, and export writes it, so it counts as declared either way.
    if (!v->has_value_info) {
      if (vi.has_type()) v->type = onnx_io::value_type_from_proto(vi.type());
      v->has_value_info = v->type.is_known();
    }
    if (v->doc_string.empty()) v->doc_string = vi.doc_string();
    if (v->unknown_fields.empty()) v->unknown_fields = take_unknown_fields(vi);
  }
  for (onnx::ValueInfoProto& vi : *gp.mutable_value_info()) {
    Value* v = g.find_value(vi.name());
    // value_info naming nothing this graph defines or reads (left over after pruning) describes
    // nothing; it is dropped.
    if (!v || v->has_value_info || v->is_graph_input()) continue;
    if (!vi.has_type() && vi.doc_string().empty() && vi.unknown_fields().empty()) continue;
    if (vi.has_type()) v->type = onnx_io::value_type_from_proto(vi.type());
    v->doc_string = vi.doc_string();
    v->unknown_fields = take_unknown_fields(vi);
    v->has_value_info = true;
  }
}

// ONNX requires nodes in topological order but writers get it wrong; any order without a cycle
// is accepted. The order is worked out on the protos because an IR node needs its inputs to exist.
std::vector<size_t> Importer::node_order(const onnx::GraphProto& gp, const Graph& g) const {
  auto n = static_cast<size_t>(gp.node_size());
  auto label = [&](size_t i) { return node_label(gp.node(static_cast<int>(i)), i); };
  std::unordered_map<std::string_view, size_t> producer;
  producer.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& out : gp.node(static_cast<int>(i)).output()) {
      if (out.empty()) continue;
      if (g.find_value(out))
        fail("duplicate value name '", out, "': ", label(i), " produces it, but it is also a graph input or initializer");
      auto [it, inserted] = producer.emplace(out, i);
      if (!inserted) fail("duplicate value name '", out, "': produced by both ", label(it->second), " and ", label(i));
    }
  }
  std::vector<std::vector<size_t>> deps(n);
  bool in_order = true;
  for (size_t i = 0; i < n; ++i) {
    const onnx::NodeProto& node = gp.node(static_cast<int>(i));
    auto depend = [&](std::string_view name) {
      auto it = producer.find(name);
      if (it == producer.end()) return;
      deps[i].push_back(it->second);
      in_order = in_order && it->second < i;
    };
    for (const std::string& in : node.input())
      if (!in.empty()) depend(in);
    for (const onnx::GraphProto* sg : subgraphs_of(node)) {
      std::vector<std::string_view> refs;
      collect_outer_refs(*sg, refs);
      for (std::string_view r : refs) depend(r);
    }
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  if (in_order) return order;

  // Kahn's algorithm; a min-heap on file position keeps the file's order where it is valid.
  std::vector<size_t> pending(n);
  std::vector<std::vector<size_t>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    pending[i] = deps[i].size();
    for (size_t d : deps[i]) consumers[d].push_back(i);
  }
  std::vector<size_t> ready;
  auto later = [](size_t a, size_t b) { return a > b; };
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::make_heap(ready.begin(), ready.end(), later);
  order.clear();
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later);
    size_t i = ready.back();
    ready.pop_back();
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) {
        ready.push_back(c);
        std::push_heap(ready.begin(), ready.end(), later);
      }
  }
  if (order.size() == n) return order;

  // Every node left waits on another one left: walking producers from any of them must loop.
  size_t cur = 0;
  while (pending[cur] == 0) ++cur;
  std::vector<size_t> walk;
  std::unordered_map<size_t, size_t> seen_at;
  while (!seen_at.count(cur)) {
    seen_at[cur] = walk.size();
    walk.push_back(cur);
    cur = *std::find_if(deps[cur].begin(), deps[cur].end(), [&](size_t d) { return pending[d] > 0; });
  }
  std::string cycle;
  // The walk follows producers; print in data-flow order.
  for (size_t k = walk.size(); k-- > seen_at[cur];) cycle += label(walk[k]) + " -> ";
  cycle += label(walk.back());
  fail("graph '", g.name, "' has a cycle: ", cycle);
}

bool Importer::defined_in_enclosing_scope(const std::string& name) const {
  return std::any_of(scopes_.begin(), scopes_.end(), [&](const Graph* s) { return s->find_value(name) != nullptr; });
}

Value* Importer::resolve_input(Graph& g, const std::string& name, const std::string& node) {
  if (Value* v = g.find_value(name)) return v;
  if (defined_in_enclosing_scope(name)) return g.add_capture(name);
  fail("dangling edge: ", node, " reads '", name, "', which is never defined");
}

void Importer::import_node(onnx::NodeProto& np, size_t index, Graph& g, int depth) {
  std::string label = node_label(np, index);
  std::vector<Value*> inputs;
  inputs.reserve(static_cast<size_t>(np.input_size()));
  for (const std::string& name : np.input()) inputs.push_back(name.empty() ? nullptr : resolve_input(g, name, label));
  std::vector<std::string> outputs(np.output().begin(), np.output().end());
  // Ids in graph order, a node before the nodes of its subgraphs.
  NodeId id = next_id_++;
  std::vector<Attribute> attrs;
  attrs.reserve(static_cast<size_t>(np.attribute_size()));
  for (onnx::AttributeProto& ap : *np.mutable_attribute()) attrs.push_back(import_attribute(ap, g, label, depth));
  Node* n = g.add_node_with_id(id, np.op_type(), inputs, outputs, np.domain(), nullptr);
  n->name = np.name();
  n->doc_string = np.doc_string();
  for (std::string& o : take_unknown_payloads(np, onnx_io::kNodeOverload)) n->overload = std::move(o);
  for (const std::string& p : take_unknown_payloads(np, onnx_io::kNodeMetadataProps)) {
    auto entry = metadata_entry(p, label);
    // Kiln's own provenance entry becomes the node's provenance again; a malformed one stays
    // plain metadata rather than inventing origins.
    if (entry.first == onnx_io::kProvenanceKey) {
      if (auto ids = parse_ids(entry.second)) {
        n->provenance = std::move(*ids);
        continue;
      }
    }
    n->metadata_props.push_back(std::move(entry));
  }
  n->unknown_fields = take_unknown_fields(np);
  n->mutable_attrs() = std::move(attrs);
}

Attribute Importer::import_attribute(onnx::AttributeProto& ap, Graph& owner, const std::string& node, int depth) {
  Attribute a(ap.name(), attr_kind_of(ap));
  a.ref_attr_name = ap.ref_attr_name();
  a.doc_string = ap.doc_string();
  a.unknown_fields = take_unknown_fields(ap);
  std::string what = "attribute '" + ap.name() + "' of " + node;
  switch (a.kind) {
    case AttrKind::Float: a.f = ap.f(); break;
    case AttrKind::Int: a.i = ap.i(); break;
    case AttrKind::String: a.s = std::move(*ap.mutable_s()); break;
    case AttrKind::Floats: a.floats.assign(ap.floats().begin(), ap.floats().end()); break;
    case AttrKind::Ints: a.ints.assign(ap.ints().begin(), ap.ints().end()); break;
    case AttrKind::Strings:
      for (std::string& s : *ap.mutable_strings()) a.strings.push_back(std::move(s));
      break;
    case AttrKind::Tensor: a.tensors.push_back(onnx_io::tensor_from_proto(*ap.mutable_t(), external_, what)); break;
    case AttrKind::Tensors:
      for (onnx::TensorProto& t : *ap.mutable_tensors()) a.tensors.push_back(onnx_io::tensor_from_proto(t, external_, what));
      break;
    case AttrKind::Graph: a.graphs.push_back(import_subgraph(*ap.mutable_g(), owner, what, depth)); break;
    case AttrKind::Graphs:
      for (onnx::GraphProto& sg : *ap.mutable_graphs()) a.graphs.push_back(import_subgraph(sg, owner, what, depth));
      break;
    case AttrKind::SparseTensor: a.opaque.push_back(ap.sparse_tensor().SerializeAsString()); break;
    case AttrKind::SparseTensors:
      for (const onnx::SparseTensorProto& t : ap.sparse_tensors()) a.opaque.push_back(t.SerializeAsString());
      break;
    case AttrKind::TypeProto: a.opaque.push_back(ap.tp().SerializeAsString()); break;
    case AttrKind::TypeProtos:
      for (const onnx::TypeProto& t : ap.type_protos()) a.opaque.push_back(t.SerializeAsString());
      break;
    case AttrKind::Undefined: break;
  }
  return a;
}

std::unique_ptr<Graph> Importer::import_subgraph(onnx::GraphProto& gp, Graph& owner, const std::string& what,
                                                 int depth) {
  // Recursion elsewhere (clone, verify, destruction) follows nesting too; real models nest a few levels.
  if (depth + 1 > onnx_io::kMaxSubgraphDepth)
    fail(what, ": subgraphs nested deeper than ", std::to_string(onnx_io::kMaxSubgraphDepth), " levels");
  auto sub = owner.new_subgraph();
  scopes_.push_back(&owner);
  try {
    import_graph(gp, *sub, depth + 1);
  } catch (const Error& e) {
    fail(what, ": ", e.what());
  }
  scopes_.pop_back();
  return sub;
}

using StreamFactory = std::function<std::unique_ptr<google::protobuf::io::ZeroCopyInputStream>()>;

// After a failed parse, a walk over the top-level fields tells a cut-off file (a known field
// whose length runs past the end) from one that was never ONNX.
std::string parse_failure_reason(google::protobuf::io::ZeroCopyInputStream& in, int64_t size) {
  const std::string generic = "not a valid ONNX protobuf (parse failed)";
  google::protobuf::io::CodedInputStream coded(&in);
  coded.SetTotalBytesLimit(INT_MAX);
  auto known = [](uint32_t field) { return (field >= 1 && field <= 8) || field == 14 || field == 20 || field == 25; };
  for (;;) {
    uint32_t tag = coded.ReadTag();
    if (tag == 0) return generic;
    uint32_t field = tag >> 3;
    if (!known(field)) return generic;
    bool ok = true;
    uint64_t v64 = 0;
    uint32_t v32 = 0;
    switch (tag & 7) {
      case 0: ok = coded.ReadVarint64(&v64); break;
      case 1: ok = coded.ReadLittleEndian64(&v64); break;
      case 5: ok = coded.ReadLittleEndian32(&v32); break;
      // Checked against the size: skipping in a file seeks, and seeking past the end succeeds.
      case 2: ok = coded.ReadVarint32(&v32) && coded.CurrentPosition() + int64_t{v32} <= size &&
                   coded.Skip(static_cast<int>(v32));
        break;
      default: return generic;
    }
    if (!ok)
      return std::string("not a valid ONNX protobuf (parse failed: the file ends inside top-level field ") + std::to_string(field) +
             (field == onnx_io::kModelGraph ? " (the graph)" : "") + "; truncated?)";
  }
}

void parse_model(onnx::ModelProto& mp, int64_t size, const StreamFactory& open_stream) {
  {
    auto in = open_stream();
    google::protobuf::io::CodedInputStream coded(in.get());
    coded.SetTotalBytesLimit(INT_MAX);
    coded.SetRecursionLimit(onnx_io::kProtoRecursionLimit);
    if (mp.ParseFromCodedStream(&coded)) return;
  }
  mp.Clear();
  auto in = open_stream();
  fail(parse_failure_reason(*in, size));
}

Model import_parsed(onnx::ModelProto& mp, const std::string& base_dir, const ImportOptions& options) {
  onnx_io::ExternalDataReader reader(base_dir);
  return Importer(options.load_external_data ? &reader : nullptr).run(mp);
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

[[noreturn]] void rethrow_with_label(const std::string& label) {
  try {
    throw;
  } catch (const Error& e) {
    throw Error(label + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw Error(label + ": out of memory while importing");
  }
}

}  // namespace

Model load_model(const std::string& path, const ImportOptions& options) {
  try {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(errno == ENOENT ? "no such file" : std::strerror(errno));
    FdCloser closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail("is a directory, not an ONNX model");
    if (S_ISREG(st.st_mode) && st.st_size == 0) fail("empty file, not an ONNX model");
    if (st.st_size > INT_MAX)
      fail("file is ", std::to_string(st.st_size),
           " bytes; protobuf cannot read an ONNX file over 2 GB (weights must be stored as external data)");
    onnx::ModelProto mp;
    {
      // Parsing from the descriptor, not from a copy of the file, keeps peak memory near the
      // model's size: the weights are read once, straight into the strings they are moved out of.
      parse_model(mp, st.st_size, [fd]() -> std::unique_ptr<google::protobuf::io::ZeroCopyInputStream> {
        if (::lseek(fd, 0, SEEK_SET) != 0) fail("cannot read (", std::strerror(errno), ")");
        return std::make_unique<google::protobuf::io::FileInputStream>(fd, onnx_io::kReadBlockBytes);
      });
    }
    Model m = import_parsed(mp, parent_dir(path), options);
    m.source_path = path;
    return m;
  } catch (...) {
    rethrow_with_label(path);
  }
}

Model load_model_from_bytes(const void* data, size_t size, const std::string& label, const std::string& base_dir,
                            const ImportOptions& options) {
  try {
    if (size == 0) fail("empty file, not an ONNX model");
    if (size > static_cast<size_t>(INT_MAX)) fail("model is over 2 GB; protobuf cannot read it");
    onnx::ModelProto mp;
    parse_model(mp, static_cast<int64_t>(size), [&]() -> std::unique_ptr<google::protobuf::io::ZeroCopyInputStream> {
      return std::make_unique<google::protobuf::io::ArrayInputStream>(data, static_cast<int>(size));
    });
    return import_parsed(mp, base_dir, options);
  } catch (...) {
    rethrow_with_label(label);
  }
}

}  // namespace kiln
