#pragma once
// Helpers for the ONNX import/export tests: building ModelProtos by hand, scratch folders, and a
// structural comparison of two kiln::Models that names the first difference.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "core/ir/model.h"
#include "core/onnx/onnx_import.h"

namespace kiln::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-onnx-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// For EXPECT_TRUE: on failure, shows the text that lacks the part.
inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline onnx::ModelProto make_model(int64_t ir_version = 8, int64_t opset = 17) {
  onnx::ModelProto m;
  m.set_ir_version(ir_version);
  m.add_opset_import()->set_version(opset);
  m.mutable_graph()->set_name("g");
  return m;
}

inline onnx::ValueInfoProto* set_tensor_type(onnx::ValueInfoProto* v, const std::string& name, int elem,
                                             const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem);
  auto* shape = t->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  return v;
}

inline onnx::NodeProto* add_node(onnx::GraphProto& g, const std::string& op, const std::vector<std::string>& inputs,
                                 const std::vector<std::string>& outputs, const std::string& name = "") {
  onnx::NodeProto* n = g.add_node();
  n->set_op_type(op);
  if (!name.empty()) n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

inline onnx::TensorProto* add_float_initializer(onnx::GraphProto& g, const std::string& name,
                                                const std::vector<int64_t>& dims, const std::vector<float>& values) {
  onnx::TensorProto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(values.data(), values.size() * sizeof(float));
  return t;
}

// x -> Relu -> y, the smallest valid model.
inline onnx::ModelProto relu_model() {
  onnx::ModelProto m = make_model();
  onnx::GraphProto& g = *m.mutable_graph();
  set_tensor_type(g.add_input(), "x", onnx::TensorProto::FLOAT, {2, 3});
  add_node(g, "Relu", {"x"}, {"y"}, "relu");
  set_tensor_type(g.add_output(), "y", onnx::TensorProto::FLOAT, {2, 3});
  return m;
}

inline Model import_proto(const onnx::ModelProto& m, const std::string& label = "test.onnx") {
  std::string bytes = m.SerializeAsString();
  return load_model_from_bytes(bytes.data(), bytes.size(), label);
}

namespace detail {

inline std::string diff_tensor(const Tensor& a, const Tensor& b, const std::string& at) {
  if (a.name != b.name) return at + ": tensor name '" + a.name + "' vs '" + b.name + "'";
  if (a.dtype != b.dtype) return at + ": dtype";
  if (a.dims != b.dims) return at + ": dims";
  if (a.byte_size() != b.byte_size()) return at + ": byte size";
  if (a.byte_size() && std::memcmp(a.raw(), b.raw(), a.byte_size()) != 0) return at + ": bytes";
  if (a.strings != b.strings) return at + ": strings";
  if (a.doc_string != b.doc_string) return at + ": doc_string";
  if (a.unknown_fields != b.unknown_fields) return at + ": unknown_fields";
  return "";
}

inline std::string diff_value(const Value* a, const Value* b, const std::string& at) {
  if (!a || !b) return a == b ? "" : at + ": one side is omitted";
  if (a->name() != b->name()) return at + ": name '" + a->name() + "' vs '" + b->name() + "'";
  std::string w = at + " value '" + a->name() + "'";
  if (!(a->type == b->type) || a->type.denotation != b->type.denotation)
    return w + ": type " + a->type.str() + " vs " + b->type.str();
  if (a->type.shape && b->type.shape)
    for (size_t i = 0; i < a->type.shape->dims.size(); ++i)
      if (a->type.shape->dims[i].denotation != b->type.shape->dims[i].denotation) return w + ": dim denotation";
  if (a->has_value_info != b->has_value_info) return w + ": has_value_info";
  if (a->doc_string != b->doc_string) return w + ": doc_string";
  if (a->unknown_fields != b->unknown_fields) return w + ": unknown_fields";
  if (a->is_graph_input() != b->is_graph_input() || a->is_capture() != b->is_capture() ||
      a->is_initializer() != b->is_initializer() || a->is_graph_output() != b->is_graph_output())
    return w + ": role (input/capture/initializer/output)";
  if (a->is_initializer()) return diff_tensor(*a->initializer(), *b->initializer(), w);
  return "";
}

std::string diff_graph(const Graph& a, const Graph& b, const std::string& at);

inline std::string diff_attr(const Attribute& a, const Attribute& b, const std::string& at) {
  std::string w = at + " attribute '" + a.name + "'";
  if (a.name != b.name || a.kind != b.kind) return w + ": name or kind";
  if (a.ref_attr_name != b.ref_attr_name || a.doc_string != b.doc_string || a.unknown_fields != b.unknown_fields)
    return w + ": ref_attr_name, doc_string or unknown_fields";
  if (std::memcmp(&a.f, &b.f, sizeof(float)) != 0 || a.i != b.i || a.s != b.s || a.ints != b.ints ||
      a.strings != b.strings || a.opaque != b.opaque)
    return w + ": value";
  if (a.floats.size() != b.floats.size() ||
      (!a.floats.empty() && std::memcmp(a.floats.data(), b.floats.data(), a.floats.size() * sizeof(float)) != 0))
    return w + ": floats";
  if (a.tensors.size() != b.tensors.size() || a.graphs.size() != b.graphs.size()) return w + ": tensor/graph count";
  for (size_t i = 0; i < a.tensors.size(); ++i)
    if (auto d = diff_tensor(*a.tensors[i], *b.tensors[i], w); !d.empty()) return d;
  for (size_t i = 0; i < a.graphs.size(); ++i)
    if (auto d = diff_graph(*a.graphs[i], *b.graphs[i], w); !d.empty()) return d;
  return "";
}

inline std::string diff_graph(const Graph& a, const Graph& b, const std::string& at) {
  std::string w = at + "/graph '" + a.name + "'";
  if (a.name != b.name || a.doc_string != b.doc_string) return w + ": name or doc_string";
  if (a.metadata_props != b.metadata_props) return w + ": metadata_props";
  if (a.unknown_fields != b.unknown_fields) return w + ": unknown_fields";
  if (a.inputs().size() != b.inputs().size()) return w + ": input count";
  for (size_t i = 0; i < a.inputs().size(); ++i)
    if (auto d = diff_value(a.inputs()[i], b.inputs()[i], w + " input"); !d.empty()) return d;
  if (a.outputs().size() != b.outputs().size()) return w + ": output count";
  for (size_t i = 0; i < a.outputs().size(); ++i)
    if (auto d = diff_value(a.outputs()[i], b.outputs()[i], w + " output"); !d.empty()) return d;
  auto ai = a.initializers(), bi = b.initializers();
  if (ai.size() != bi.size()) return w + ": initializer count";
  for (size_t i = 0; i < ai.size(); ++i)
    if (auto d = diff_value(ai[i], bi[i], w + " initializer"); !d.empty()) return d;
  if (a.value_count() != b.value_count()) return w + ": value count";
  std::string value_diff;
  a.for_each_value([&](const Value* v) {
    if (value_diff.empty()) value_diff = diff_value(v, b.find_value(v->name()), w);
  });
  if (!value_diff.empty()) return value_diff;
  auto an = a.nodes(), bn = b.nodes();
  if (an.size() != bn.size()) return w + ": node count";
  for (size_t k = 0; k < an.size(); ++k) {
    const Node& x = *an[k];
    const Node& y = *bn[k];
    std::string nw = w + " node #" + std::to_string(k) + " '" + x.name + "'";
    if (x.id() != y.id() || x.provenance != y.provenance) return nw + ": id or provenance";
    if (x.op_type != y.op_type || x.domain != y.domain || x.name != y.name || x.overload != y.overload)
      return nw + ": op_type, domain, name or overload";
    if (x.doc_string != y.doc_string || x.metadata_props != y.metadata_props || x.unknown_fields != y.unknown_fields)
      return nw + ": doc_string, metadata_props or unknown_fields";
    if (x.num_inputs() != y.num_inputs() || x.num_outputs() != y.num_outputs()) return nw + ": arity";
    for (size_t i = 0; i < x.num_inputs(); ++i)
      if ((x.input(i) ? x.input(i)->name() : "") != (y.input(i) ? y.input(i)->name() : "")) return nw + ": input";
    for (size_t i = 0; i < x.num_outputs(); ++i)
      if ((x.output(i) ? x.output(i)->name() : "") != (y.output(i) ? y.output(i)->name() : "")) return nw + ": output";
    if (x.attrs().size() != y.attrs().size()) return nw + ": attribute count";
    for (size_t i = 0; i < x.attrs().size(); ++i)
      if (auto d = diff_attr(x.attrs()[i], y.attrs()[i], nw); !d.empty()) return d;
  }
  return "";
}

}  // namespace detail

// First structural difference between two models ("" when none): everything import sets,
// weights compared byte for byte.
inline std::string diff_models(const Model& a, const Model& b) {
  if (a.ir_version != b.ir_version) return "ir_version";
  if (a.opsets.size() != b.opsets.size()) return "opset count";
  for (size_t i = 0; i < a.opsets.size(); ++i)
    if (a.opsets[i].domain != b.opsets[i].domain || a.opsets[i].version != b.opsets[i].version) return "opsets";
  if (a.producer_name != b.producer_name || a.producer_version != b.producer_version || a.domain != b.domain ||
      a.model_version != b.model_version || a.doc_string != b.doc_string)
    return "model producer, domain, version or doc_string";
  if (a.metadata_props != b.metadata_props) return "model metadata_props";
  if (a.functions != b.functions || a.training_info != b.training_info) return "functions or training_info";
  if (a.unknown_fields != b.unknown_fields) return "model unknown_fields";
  return detail::diff_graph(*a.graph, *b.graph, "");
}

}  // namespace kiln::test
