// Inference rules for sequence and optional ops. Kiln's IR carries non-tensor types as serialized
// ONNX TypeProtos, so these rules read and write them through the importer's converters.
#include <onnx/onnx_pb.h>

#include "core/analysis/infer_context.h"
#include "core/onnx/type_proto.h"

namespace kiln::analysis {

namespace {

std::optional<onnx::TypeProto> proto_of(const ValueType& t) {
  if (t.kind != ValueType::Kind::Other) return std::nullopt;
  onnx::TypeProto p;
  if (!p.ParseFromString(t.other)) return std::nullopt;
  return p;
}

ValueType wrap(const onnx::TypeProto& p) {
  ValueType t;
  t.kind = ValueType::Kind::Other;
  p.SerializeToString(&t.other);
  return t;
}

// sequence(elem); an unknown element type still makes a sequence, of unknown elements.
ValueType sequence_of(const ValueType& elem) {
  onnx::TypeProto p;
  onnx::TypeProto* e = p.mutable_sequence_type()->mutable_elem_type();
  if (elem.is_known()) {
    onnx_io::value_type_to_proto(elem, *e);
  } else {
    e->mutable_tensor_type();
  }
  return wrap(p);
}

ValueType optional_of(const ValueType& elem) {
  onnx::TypeProto p;
  onnx_io::value_type_to_proto(elem, *p.mutable_optional_type()->mutable_elem_type());
  return wrap(p);
}

// Element type of a sequence (or of an optional when `optional`); Unknown when not one.
ValueType element_of(const ValueType& t, bool optional = false) {
  auto p = proto_of(t);
  if (!p) return ValueType();
  if (!optional && p->has_sequence_type()) return onnx_io::value_type_from_proto(p->sequence_type().elem_type());
  if (optional && p->has_optional_type()) return onnx_io::value_type_from_proto(p->optional_type().elem_type());
  return ValueType();
}

// Element types of one sequence describe every element, so they are united.
ValueType unite(const ValueType& a, const ValueType& b) {
  if (!a.is_known()) return b;
  if (!b.is_known()) return a;
  return union_type(a, b);
}

void sequence_empty(InferContext& c) {
  auto code = static_cast<int32_t>(c.node().attr_int("dtype", 1));
  c.set(0, sequence_of(ValueType::tensor(dtype_is_known(code) ? static_cast<DataType>(code)
                                                              : DataType::Float32)));
}

void sequence_construct(InferContext& c) {
  ValueType elem;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    if (!c.type(i).is_known()) return;
    elem = i == 0 ? c.type(i) : union_type(elem, c.type(i));
  }
  c.set(0, sequence_of(elem));
}

void sequence_insert(InferContext& c) {
  if (!c.type(0).is_known()) return;
  c.set(0, sequence_of(unite(element_of(c.type(0)), c.type(1))));
}

void same_sequence(InferContext& c) { copy_input_type(c, 0, 0); }

void sequence_at(InferContext& c) {
  ValueType e = element_of(c.type(0));
  if (e.is_known()) c.set(0, e);
}

void sequence_length(InferContext& c) { c.set(0, DataType::Int64, Shape()); }

void split_to_sequence(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set(0, sequence_of(ValueType::tensor(dt)));
    return;
  }
  auto axis = normalize_axis(c.node().attr_int("axis", 0), static_cast<int64_t>(in->rank()));
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    return;
  }
  auto a = static_cast<size_t>(*axis);
  Shape e = *in;
  if (!c.has_input(1)) {
    if (c.node().attr_int("keepdims", 1) != 0) {
      e.dims[a] = Dim::known(1);
    } else {
      e.dims.erase(e.dims.begin() + *axis);
    }
  } else if (auto s = c.int_values(1); s && c.rank(1) == 0 && s->size() == 1) {
    // Chunks of a scalar size; the last one may be shorter.
    const Dim& d = in->dims[a];
    e.dims[a] = d.is_known() && (*s)[0] > 0 && d.value % (*s)[0] == 0 ? Dim::known((*s)[0]) : Dim::unknown();
  } else {
    e.dims[a] = Dim::unknown();
  }
  c.set(0, sequence_of(ValueType::tensor(dt, std::move(e))));
}

void concat_from_sequence(InferContext& c) {
  ValueType e = element_of(c.type(0));
  if (!e.is_tensor()) return;
  if (!e.shape) {
    c.set_dtype(0, e.dtype);
    return;
  }
  bool new_axis = c.node().attr_int("new_axis", 0) != 0;
  auto r = static_cast<int64_t>(e.shape->rank()) + (new_axis ? 1 : 0);
  auto axis = normalize_axis(c.node().attr_int("axis", 0), r);
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    return;
  }
  Shape out = *e.shape;
  if (new_axis) {
    out.dims.insert(out.dims.begin() + *axis, Dim::unknown());
  } else {
    out.dims[static_cast<size_t>(*axis)] = Dim::unknown();
  }
  c.set(0, e.dtype, std::move(out));
}

void sequence_map(InferContext& c) {
  const Attribute* a = c.node().attr("body");
  if (!a || !a->graph()) {
    c.warn("attribute 'body' (a graph) is missing");
    return;
  }
  std::vector<ValueType> in;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    const ValueType& t = c.type(i);
    in.push_back(t.kind == ValueType::Kind::Other ? element_of(t) : t);
  }
  std::vector<ValueType> out = c.infer_subgraph(*a->graph(), in);
  for (size_t i = 0; i < out.size() && i < c.num_outputs(); ++i) c.set(i, sequence_of(out[i]));
}

void optional(InferContext& c) {
  if (c.has_input(0) && c.type(0).is_known()) c.set(0, optional_of(c.type(0)));
}

void optional_get_element(InferContext& c) {
  const ValueType& t = c.type(0);
  ValueType e = element_of(t, true);
  if (e.is_known()) {
    c.set(0, e);
  } else if (t.is_tensor() || (t.kind == ValueType::Kind::Other && proto_of(t) &&
                               proto_of(t)->has_sequence_type())) {
    c.set(0, t);  // from opset 18 a plain tensor or sequence passes through
  }
}

void optional_has_element(InferContext& c) { c.set(0, DataType::Bool, Shape()); }

}  // namespace

ValueType union_other_type(const ValueType& a, const ValueType& b) {
  auto pa = proto_of(a), pb = proto_of(b);
  if (!pa || !pb) return ValueType();
  if (pa->has_sequence_type() && pb->has_sequence_type()) {
    ValueType e = union_type(element_of(a), element_of(b));
    return e.is_known() ? sequence_of(e) : ValueType();
  }
  if (pa->has_optional_type() && pb->has_optional_type()) {
    ValueType e = union_type(element_of(a, true), element_of(b, true));
    return e.is_known() ? optional_of(e) : ValueType();
  }
  return ValueType();
}

void add_sequence_rules(RuleTable& t) {
  t.add("SequenceEmpty", 11, sequence_empty);
  t.add("SequenceConstruct", 11, sequence_construct);
  t.add("SequenceInsert", 11, sequence_insert);
  t.add("SequenceErase", 11, same_sequence);
  t.add("SequenceAt", 11, sequence_at);
  t.add("SequenceLength", 11, sequence_length);
  t.add("SplitToSequence", 11, split_to_sequence);
  t.add("ConcatFromSequence", 11, concat_from_sequence);
  t.add("SequenceMap", 17, sequence_map);
  t.add("Optional", 15, optional);
  t.add("OptionalGetElement", 15, optional_get_element);
  t.add("OptionalHasElement", 15, optional_has_element);
}

}  // namespace kiln::analysis
