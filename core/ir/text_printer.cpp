// The printing half of the text form. The grammar, by example:
//
//   model ir_version=8 producer_name="kiln"
//   opset "" 17
//   graph "main" (%x: f32[batch,3], %mask: ?) -> (%y: f32[batch,3]) {
//     capture %outer: f32[3]                          (subgraphs only)
//     init %w: f32[3,3] = {9 values, hash 0123456789abcdef}
//     init %shape: i64[2] = [1, -1]
//     %y: f32[batch,3], _ = com.example::Op(%x, _, %w) {alpha=0.5, axes=[0, 1]} @"/block/Op"
//     %z = If(%c) {
//       else_branch=graph "else" () -> (%a) {
//         ...
//       },
//       then_branch=graph "then" () -> (%b) {
//         ...
//       }
//     }
//   }
//
// Attribute values: 1 (int), 1.0 (float; always has '.', 'e', inf or nan), "s", [1, 2] (ints),
// [1.0] (floats), ["a"] (strings), ints[] / floats[] / ... (empty lists), tensor f32[2] [1, 2],
// graph "g" (...) -> (...) {...}, sparse_tensor hex"..", type_proto hex"..", ref(float, "alpha").
//
// Left out, as they carry no meaning for reading or diffing a graph: unknown protobuf fields,
// dim and type denotations, doc strings of values, tensors and attributes, and where a loaded
// tensor's external data came from (a tensor whose external data was not loaded prints as a
// summary naming its file).
#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "core/ir/text_format.h"
#include "core/ir/text_syntax.h"

namespace kiln {

namespace {

using text::quote;
using text::value_ref;
using text::word_or_quoted;

std::string fmt_float(float f) {
  std::array<char, 64> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), f);
  return std::string(buf.data(), r.ptr);
}

std::string fmt_double(double d) {
  std::array<char, 64> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  return std::string(buf.data(), r.ptr);
}

// A float attribute must not read as an int: 1 -> "1.0".
std::string fmt_float_attr(float f) {
  std::string s = fmt_float(f);
  if (s.find_first_not_of("-0123456789") == std::string::npos) s += ".0";
  return s;
}

std::string fmt_dim(const Dim& d) {
  if (d.is_known()) return std::to_string(d.value);
  if (!d.symbol.empty()) return word_or_quoted(d.symbol);
  return "?";
}

std::string fmt_shape_dims(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

class Printer {
 public:
  explicit Printer(const PrintOptions& o) : opt_(o) {}

  std::string take() { return std::move(out_); }

  void model(const Model& m) {
    out_ += "model ir_version=" + std::to_string(m.ir_version);
    if (!m.producer_name.empty()) out_ += " producer_name=" + quote(m.producer_name);
    if (!m.producer_version.empty()) out_ += " producer_version=" + quote(m.producer_version);
    if (!m.domain.empty()) out_ += " domain=" + quote(m.domain);
    if (m.model_version != 0) out_ += " model_version=" + std::to_string(m.model_version);
    out_ += "\n";
    if (opt_.show_doc_strings && !m.doc_string.empty()) out_ += "doc " + quote(m.doc_string) + "\n";
    for (const auto& [k, v] : m.metadata_props) out_ += "metadata " + quote(k) + " = " + quote(v) + "\n";
    for (const OpsetImport& o : m.opsets) out_ += "opset " + quote(o.domain) + " " + std::to_string(o.version) + "\n";
    for (const std::string& f : m.functions) out_ += "function " + blob(f) + "\n";
    for (const std::string& t : m.training_info) out_ += "training_info " + blob(t) + "\n";
    graph(*m.graph, 0);
    out_ += "\n";
  }

  // Writes the graph starting at the current position; the body is indented one level deeper
  // than `indent` and the closing brace is at `indent`, with no newline after it.
  void graph(const Graph& g, int indent) {
    out_ += "graph " + quote(g.name) + " (";
    for (size_t i = 0; i < g.inputs().size(); ++i) {
      if (i) out_ += ", ";
      out_ += value_ref(g.inputs()[i]->name()) + ": " + type(g.inputs()[i]->type);
    }
    out_ += ") -> (";
    for (size_t i = 0; i < g.outputs().size(); ++i) {
      if (i) out_ += ", ";
      out_ += value_ref(g.outputs()[i]->name()) + ": " + type(g.outputs()[i]->type);
    }
    out_ += ") {\n";
    const std::string pad = padding(indent + 1);
    if (opt_.show_doc_strings && !g.doc_string.empty()) out_ += pad + "doc " + quote(g.doc_string) + "\n";
    for (const auto& [k, v] : g.metadata_props) out_ += pad + "metadata " + quote(k) + " = " + quote(v) + "\n";
    for (const Value* c : g.captures()) {
      out_ += pad + "capture " + value_ref(c->name());
      if (c->type.is_known()) out_ += ": " + type(c->type);
      out_ += "\n";
    }
    for (const Value* v : g.initializers()) {
      const Tensor& t = *v->initializer();
      out_ += pad + "init " + value_ref(v->name()) + ": " + tensor_type(t) + " = " + tensor_data(t) + "\n";
    }
    g.for_each_node([&](const Node* n) { node(*n, indent + 1); });
    out_ += padding(indent) + "}";
  }

 private:
  static std::string padding(int indent) { return std::string(static_cast<size_t>(indent) * 2, ' '); }

  std::string type(const ValueType& t) {
    switch (t.kind) {
      case ValueType::Kind::Unknown: return "?";
      case ValueType::Kind::Other: return "opaque " + blob(t.other);
      case ValueType::Kind::Tensor: break;
    }
    std::string s(dtype_short_name(t.dtype));
    if (!t.shape) return s + "[*]";
    s += "[";
    for (size_t i = 0; i < t.shape->dims.size(); ++i) {
      if (i) s += ",";
      s += fmt_dim(t.shape->dims[i]);
    }
    return s + "]";
  }

  static std::string tensor_type(const Tensor& t) {
    return std::string(dtype_short_name(t.dtype)) + fmt_shape_dims(t.dims);
  }

  // Serialized protos (functions, sparse tensors, non-tensor types): hex bytes, or a summary.
  std::string blob(const std::string& bytes) {
    if (static_cast<int64_t>(bytes.size()) > opt_.max_inline_elements) {
      text::Fnv1a h;
      h.add(bytes);
      return "{" + std::to_string(bytes.size()) + " bytes, hash " + h.hex() + "}";
    }
    static const char* kHex = "0123456789abcdef";
    std::string s = "hex\"";
    for (char c : bytes) {
      auto u = static_cast<unsigned char>(c);
      s += kHex[u >> 4];
      s += kHex[u & 0xf];
    }
    return s + "\"";
  }

  std::string tensor_data(const Tensor& t) {
    int64_t n = t.numel();
    if (n < 0) return "{invalid dims}";
    if (t.dtype == DataType::String) {
      if (static_cast<int64_t>(t.strings.size()) != n)
        return "{" + std::to_string(t.strings.size()) + " strings for " + std::to_string(n) + " elements}";
      if (n > opt_.max_inline_elements) {
        text::Fnv1a h;
        for (const std::string& s : t.strings) {
          uint64_t len = s.size();
          uint8_t le[8];
          for (int i = 0; i < 8; ++i) le[i] = static_cast<uint8_t>(len >> (8 * i));
          h.add(std::span<const uint8_t>(le, 8));
          h.add(s);
        }
        return "{" + std::to_string(n) + " values, hash " + h.hex() + "}";
      }
      std::string s = "[";
      for (size_t i = 0; i < t.strings.size(); ++i) s += (i ? ", " : "") + quote(t.strings[i]);
      return s + "]";
    }
    int64_t expected = dtype_storage_bytes(t.dtype, n);
    if (expected < 0) return "{" + std::to_string(n) + " values of an unprintable type}";
    if (t.byte_size() == 0 && expected > 0 && t.external)
      return "{" + std::to_string(n) + " values, external " + quote(t.external->location) + ", not loaded}";
    text::Fnv1a h;
    h.add(t.data ? t.data->bytes() : std::span<const uint8_t>());
    if (static_cast<int64_t>(t.byte_size()) != expected)
      return "{" + std::to_string(n) + " values, " + std::to_string(t.byte_size()) + " bytes (expected " +
             std::to_string(expected) + "), hash " + h.hex() + "}";
    if (n > opt_.max_inline_elements) return "{" + std::to_string(n) + " values, hash " + h.hex() + "}";
    return "[" + elements(t, static_cast<size_t>(n)) + "]";
  }

  static std::string elements(const Tensor& t, size_t n) {
    const uint8_t* p = t.raw();
    std::string s;
    auto sep = [&](size_t i) {
      if (i) s += ", ";
    };
    auto load = [&](size_t i, auto tag) {
      decltype(tag) v;
      std::memcpy(&v, p + i * sizeof(v), sizeof(v));
      return v;
    };
    static const char* kHex = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
      switch (t.dtype) {
        case DataType::Float32: sep(i); s += fmt_float(load(i, float{})); break;
        case DataType::Float64: sep(i); s += fmt_double(load(i, double{})); break;
        case DataType::Float16: sep(i); s += fmt_float(half_to_float(load(i, uint16_t{}))); break;
        case DataType::BFloat16: sep(i); s += fmt_float(bfloat16_to_float(load(i, uint16_t{}))); break;
        case DataType::Complex64:
          sep(i);
          s += fmt_float(load(2 * i, float{})) + ", " + fmt_float(load(2 * i + 1, float{}));
          break;
        case DataType::Complex128:
          sep(i);
          s += fmt_double(load(2 * i, double{})) + ", " + fmt_double(load(2 * i + 1, double{}));
          break;
        case DataType::Bool: sep(i); s += p[i] ? "true" : "false"; break;
        case DataType::Int8: sep(i); s += std::to_string(load(i, int8_t{})); break;
        case DataType::UInt8: sep(i); s += std::to_string(load(i, uint8_t{})); break;
        case DataType::Int16: sep(i); s += std::to_string(load(i, int16_t{})); break;
        case DataType::UInt16: sep(i); s += std::to_string(load(i, uint16_t{})); break;
        case DataType::Int32: sep(i); s += std::to_string(load(i, int32_t{})); break;
        case DataType::UInt32: sep(i); s += std::to_string(load(i, uint32_t{})); break;
        case DataType::Int64: sep(i); s += std::to_string(load(i, int64_t{})); break;
        case DataType::UInt64: sep(i); s += std::to_string(load(i, uint64_t{})); break;
        case DataType::UInt4:
        case DataType::Int4: {
          sep(i);
          int nib = (p[i / 2] >> ((i % 2) * 4)) & 0xf;
          s += std::to_string(t.dtype == DataType::Int4 && nib >= 8 ? nib - 16 : nib);
          break;
        }
        case DataType::Float4E2M1: {
          // 8-bit and 4-bit floats print as their bit codes: exact, and these formats have no
          // agreed decimal rounding to write back.
          sep(i);
          int nib = (p[i / 2] >> ((i % 2) * 4)) & 0xf;
          s += "0x";
          s += kHex[nib];
          break;
        }
        case DataType::Float8E4M3FN:
        case DataType::Float8E4M3FNUZ:
        case DataType::Float8E5M2:
        case DataType::Float8E5M2FNUZ:
          sep(i);
          s += "0x";
          s += kHex[p[i] >> 4];
          s += kHex[p[i] & 0xf];
          break;
        default: return s;  // dtype_storage_bytes rejected the rest earlier
      }
    }
    return s;
  }

  std::string tensor_literal(const Tensor& t) {
    std::string s = "tensor ";
    if (!t.name.empty()) s += quote(t.name) + " ";
    return s + tensor_type(t) + " " + tensor_data(t);
  }

  std::string attr_value(const Attribute& a, int indent) {
    if (!a.ref_attr_name.empty())
      return "ref(" + std::string(attr_kind_name(a.kind)) + ", " + quote(a.ref_attr_name) + ")";
    auto list = [&](std::string_view kind, size_t n, auto&& item) {
      if (n == 0) return std::string(kind) + "[]";
      std::string s = "[";
      for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + item(i);
      return s + "]";
    };
    switch (a.kind) {
      case AttrKind::Float: return fmt_float_attr(a.f);
      case AttrKind::Int: return std::to_string(a.i);
      case AttrKind::String: return quote(a.s);
      case AttrKind::Floats: return list("floats", a.floats.size(), [&](size_t i) { return fmt_float_attr(a.floats[i]); });
      case AttrKind::Ints: return list("ints", a.ints.size(), [&](size_t i) { return std::to_string(a.ints[i]); });
      case AttrKind::Strings: return list("strings", a.strings.size(), [&](size_t i) { return quote(a.strings[i]); });
      case AttrKind::Tensor: return a.tensor() ? tensor_literal(*a.tensor()) : std::string("tensor {missing}");
      case AttrKind::Tensors:
        return list("tensors", a.tensors.size(), [&](size_t i) { return tensor_literal(*a.tensors[i]); });
      case AttrKind::Graph:
      case AttrKind::Graphs: {
        if (a.kind == AttrKind::Graph && a.graphs.size() == 1) return subgraph(*a.graphs[0], indent);
        return list("graphs", a.graphs.size(), [&](size_t i) { return subgraph(*a.graphs[i], indent); });
      }
      case AttrKind::SparseTensor: return "sparse_tensor " + (a.opaque.empty() ? std::string("hex\"\"") : blob(a.opaque[0]));
      case AttrKind::TypeProto: return "type_proto " + (a.opaque.empty() ? std::string("hex\"\"") : blob(a.opaque[0]));
      case AttrKind::SparseTensors:
      case AttrKind::TypeProtos: {
        std::string s(attr_kind_name(a.kind));
        s += "[";
        for (size_t i = 0; i < a.opaque.size(); ++i) s += (i ? ", " : "") + blob(a.opaque[i]);
        return s + "]";
      }
      case AttrKind::Undefined: break;
    }
    return "undefined";
  }

  std::string subgraph(const Graph& g, int indent) {
    Printer p(opt_);
    p.graph(g, indent);
    return p.take();
  }

  void node(const Node& n, int indent) {
    std::string& o = out_;
    o += padding(indent);
    if (n.outputs().empty()) o += "()";
    for (size_t i = 0; i < n.outputs().size(); ++i) {
      if (i) o += ", ";
      const Value* v = n.outputs()[i];
      if (!v) {
        o += "_";
        continue;
      }
      o += value_ref(v->name());
      if (v->type.is_known()) o += ": " + type(v->type);
    }
    o += " = ";
    if (!n.domain.empty()) o += word_or_quoted(n.domain) + "::";
    o += word_or_quoted(n.op_type) + "(";
    for (size_t i = 0; i < n.inputs().size(); ++i) {
      if (i) o += ", ";
      o += n.inputs()[i] ? value_ref(n.inputs()[i]->name()) : std::string("_");
    }
    o += ")";
    if (!n.attrs().empty()) {
      std::vector<const Attribute*> sorted;
      for (const Attribute& a : n.attrs()) sorted.push_back(&a);
      std::stable_sort(sorted.begin(), sorted.end(),
                       [](const Attribute* a, const Attribute* b) { return a->name < b->name; });
      bool multiline = std::any_of(sorted.begin(), sorted.end(), [](const Attribute* a) {
        return a->ref_attr_name.empty() && !a->graphs.empty();
      });
      o += " {";
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (multiline) {
          o += i ? ",\n" : "\n";
          o += padding(indent + 1);
        } else if (i) {
          o += ", ";
        }
        o += word_or_quoted(sorted[i]->name) + "=" + attr_value(*sorted[i], indent + 1);
      }
      if (multiline) o += "\n" + padding(indent);
      o += "}";
    }
    if (!n.name.empty()) o += " @" + quote(n.name);
    if (!n.overload.empty()) o += " overload " + quote(n.overload);
    if (!n.metadata_props.empty()) {
      o += " metadata {";
      for (size_t i = 0; i < n.metadata_props.size(); ++i)
        o += (i ? ", " : "") + quote(n.metadata_props[i].first) + " = " + quote(n.metadata_props[i].second);
      o += "}";
    }
    if (opt_.show_doc_strings && !n.doc_string.empty()) o += " doc " + quote(n.doc_string);
    if (opt_.show_ids) {
      o += " #" + std::to_string(n.id());
      if (n.provenance != std::vector<NodeId>{n.id()}) {
        o += " <-{";
        for (size_t i = 0; i < n.provenance.size(); ++i) o += (i ? "," : "") + std::to_string(n.provenance[i]);
        o += "}";
      }
    }
    o += "\n";
  }

  const PrintOptions& opt_;
  std::string out_;
};

}  // namespace

std::string print_model(const Model& model, const PrintOptions& options) {
  Printer p(options);
  p.model(model);
  return p.take();
}

std::string print_graph(const Graph& graph, const PrintOptions& options) {
  Printer p(options);
  p.graph(graph, 0);
  return p.take() + "\n";
}

}  // namespace kiln
