#include "core/ir/attribute.h"

#include "core/ir/graph.h"

namespace kiln {

std::string_view attr_kind_name(AttrKind k) {
  switch (k) {
    case AttrKind::Float: return "float";
    case AttrKind::Int: return "int";
    case AttrKind::String: return "string";
    case AttrKind::Tensor: return "tensor";
    case AttrKind::Graph: return "graph";
    case AttrKind::Floats: return "floats";
    case AttrKind::Ints: return "ints";
    case AttrKind::Strings: return "strings";
    case AttrKind::Tensors: return "tensors";
    case AttrKind::Graphs: return "graphs";
    case AttrKind::SparseTensor: return "sparse_tensor";
    case AttrKind::SparseTensors: return "sparse_tensors";
    case AttrKind::TypeProto: return "type_proto";
    case AttrKind::TypeProtos: return "type_protos";
    case AttrKind::Undefined: break;
  }
  return "undefined";
}

Attribute::Attribute() = default;
Attribute::Attribute(std::string n, AttrKind k) : name(std::move(n)), kind(k) {}
Attribute::~Attribute() = default;
Attribute::Attribute(Attribute&&) noexcept = default;
Attribute& Attribute::operator=(Attribute&&) noexcept = default;

Attribute::Attribute(const Attribute& o)
    : name(o.name), kind(o.kind), ref_attr_name(o.ref_attr_name), doc_string(o.doc_string),
      f(o.f), i(o.i), s(o.s), floats(o.floats), ints(o.ints), strings(o.strings),
      tensors(o.tensors), opaque(o.opaque), unknown_fields(o.unknown_fields) {
  graphs.reserve(o.graphs.size());
  for (const auto& g : o.graphs) graphs.push_back(g->clone());
}

Attribute& Attribute::operator=(const Attribute& o) {
  if (this != &o) *this = Attribute(o);
  return *this;
}

Attribute Attribute::make_int(std::string name, int64_t v) {
  Attribute a(std::move(name), AttrKind::Int);
  a.i = v;
  return a;
}
Attribute Attribute::make_float(std::string name, float v) {
  Attribute a(std::move(name), AttrKind::Float);
  a.f = v;
  return a;
}
Attribute Attribute::make_string(std::string name, std::string v) {
  Attribute a(std::move(name), AttrKind::String);
  a.s = std::move(v);
  return a;
}
Attribute Attribute::make_ints(std::string name, std::vector<int64_t> v) {
  Attribute a(std::move(name), AttrKind::Ints);
  a.ints = std::move(v);
  return a;
}
Attribute Attribute::make_floats(std::string name, std::vector<float> v) {
  Attribute a(std::move(name), AttrKind::Floats);
  a.floats = std::move(v);
  return a;
}
Attribute Attribute::make_strings(std::string name, std::vector<std::string> v) {
  Attribute a(std::move(name), AttrKind::Strings);
  a.strings = std::move(v);
  return a;
}
Attribute Attribute::make_tensor(std::string name, std::shared_ptr<const Tensor> t) {
  Attribute a(std::move(name), AttrKind::Tensor);
  a.tensors.push_back(std::move(t));
  return a;
}
Attribute Attribute::make_graph(std::string name, std::unique_ptr<Graph> g) {
  Attribute a(std::move(name), AttrKind::Graph);
  a.graphs.push_back(std::move(g));
  return a;
}

}  // namespace kiln
