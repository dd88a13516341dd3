#pragma once
// Node attributes of every ONNX kind, graph-valued ones (If/Loop/Scan bodies) included.
// Sparse tensors and type protos are rare in models and have no meaning for Kiln's passes, so they
// are carried as serialized protos; everything else is typed.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ir/tensor.h"

namespace kiln {

class Graph;

// ONNX AttributeProto.AttributeType numbering.
enum class AttrKind : int32_t {
  Undefined = 0,
  Float = 1,
  Int = 2,
  String = 3,
  Tensor = 4,
  Graph = 5,
  Floats = 6,
  Ints = 7,
  Strings = 8,
  Tensors = 9,
  Graphs = 10,
  SparseTensor = 11,
  SparseTensors = 12,
  TypeProto = 13,
  TypeProtos = 14,
};

std::string_view attr_kind_name(AttrKind k);

class Attribute {
 public:
  Attribute();
  Attribute(std::string name, AttrKind kind);
  ~Attribute();
  Attribute(const Attribute& o);  // deep-copies subgraphs, shares tensors
  Attribute& operator=(const Attribute& o);
  Attribute(Attribute&&) noexcept;
  Attribute& operator=(Attribute&&) noexcept;

  static Attribute make_int(std::string name, int64_t v);
  static Attribute make_float(std::string name, float v);
  static Attribute make_string(std::string name, std::string v);
  static Attribute make_ints(std::string name, std::vector<int64_t> v);
  static Attribute make_floats(std::string name, std::vector<float> v);
  static Attribute make_strings(std::string name, std::vector<std::string> v);
  static Attribute make_tensor(std::string name, std::shared_ptr<const Tensor> t);
  static Attribute make_graph(std::string name, std::unique_ptr<Graph> g);

  std::string name;
  AttrKind kind = AttrKind::Undefined;
  std::string ref_attr_name;  // set inside function bodies: value comes from the caller
  std::string doc_string;

  float f = 0.f;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<std::shared_ptr<const Tensor>> tensors;  // Tensor: tensors[0]
  std::vector<std::unique_ptr<Graph>> graphs;          // Graph: graphs[0]
  std::vector<std::string> opaque;                     // serialized sparse tensors / type protos
  std::string unknown_fields;

  const Tensor* tensor() const { return tensors.empty() ? nullptr : tensors[0].get(); }
  Graph* graph() const { return graphs.empty() ? nullptr : graphs[0].get(); }
};

}  // namespace kiln
