// ModelProto -> kiln::Model: every field lands where the IR keeps it.
#include <gtest/gtest.h>

#include <google/protobuf/unknown_field_set.h>

#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"
#include "tests/core/onnx/onnx_test_util.h"

namespace kiln {
namespace {

using google::protobuf::UnknownFieldSet;

onnx::AttributeProto* add_attr(onnx::NodeProto* n, const std::string& name, onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}

// An If node named `name` whose branches return `then_out` and the outer "x".
onnx::NodeProto* add_if(onnx::GraphProto& g, const std::string& name, const std::string& cond, const std::string& out) {
  onnx::NodeProto* n = test::add_node(g, "If", {cond}, {out}, name);
  for (const char* branch : {"then_branch", "else_branch"}) {
    onnx::GraphProto* body = add_attr(n, branch, onnx::AttributeProto::GRAPH)->mutable_g();
    body->set_name(std::string(branch) + "_of_" + name);
    test::add_node(*body, "Neg", {"x"}, {std::string("neg_") + branch}, "neg");
    test::set_tensor_type(body->add_output(), std::string("neg_") + branch, onnx::TensorProto::FLOAT, {2, 3});
  }
  return n;
}

const Node* node_named(const Graph& g, const std::string& name) {
  for (const Node* n : g.nodes())
    if (n->name == name) return n;
  return nullptr;
}

TEST(OnnxImport, ModelFields) {
  onnx::ModelProto m = test::relu_model();
  m.set_producer_name("kiln-test");
  m.set_producer_version("1.2");
  m.set_domain("org.example");
  m.set_model_version(7);
  m.set_doc_string("a doc");
  auto* meta = m.add_metadata_props();
  meta->set_key("author");
  meta->set_value("me");
  auto* opset = m.add_opset_import();
  opset->set_domain("com.microsoft");
  opset->set_version(1);
  onnx::FunctionProto* f = m.add_functions();
  f->set_name("MyFn");
  f->set_domain("local");
  m.add_training_info()->mutable_algorithm()->set_name("train");

  Model k = test::import_proto(m);
  EXPECT_EQ(k.ir_version, 8);
  EXPECT_EQ(k.opset(""), 17);
  EXPECT_EQ(k.opset("com.microsoft"), 1);
  EXPECT_EQ(k.producer_name, "kiln-test");
  EXPECT_EQ(k.producer_version, "1.2");
  EXPECT_EQ(k.domain, "org.example");
  EXPECT_EQ(k.model_version, 7);
  EXPECT_EQ(k.doc_string, "a doc");
  ASSERT_EQ(k.metadata_props.size(), 1u);
  EXPECT_EQ(k.metadata_props[0].second, "me");
  ASSERT_EQ(k.functions.size(), 1u);
  EXPECT_EQ(k.functions[0], f->SerializeAsString());
  ASSERT_EQ(k.training_info.size(), 1u);
  EXPECT_EQ(k.graph->name, "g");
  EXPECT_EQ(k.graph->node_count(), 1u);
  EXPECT_TRUE(k.source_path.empty());
}

TEST(OnnxImport, TypedFieldInitializers) {
  onnx::ModelProto m = test::relu_model();
  onnx::GraphProto& g = *m.mutable_graph();
  auto add = [&](const std::string& name, int type, std::vector<int64_t> dims) {
    onnx::TensorProto* t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  };
  auto* f32 = add("f32", onnx::TensorProto::FLOAT, {2});
  f32->add_float_data(1.5f);
  f32->add_float_data(-2.f);
  auto* f16 = add("f16", onnx::TensorProto::FLOAT16, {2});
  f16->add_int32_data(0x3c00);  // 1.0
  f16->add_int32_data(0xc000);  // -2.0
  auto* bf16 = add("bf16", onnx::TensorProto::BFLOAT16, {1});
  bf16->add_int32_data(0x3f80);  // 1.0
  auto* i8 = add("i8", onnx::TensorProto::INT8, {3});
  for (int v : {-1, 127, -128}) i8->add_int32_data(v);
  auto* u16 = add("u16", onnx::TensorProto::UINT16, {1});
  u16->add_int32_data(65535);
  auto* b = add("bool", onnx::TensorProto::BOOL, {3});
  for (int v : {0, 1, 5}) b->add_int32_data(v);
  auto* i64 = add("i64", onnx::TensorProto::INT64, {2});
  i64->add_int64_data(-5);
  i64->add_int64_data(int64_t{1} << 40);
  auto* u32 = add("u32", onnx::TensorProto::UINT32, {1});
  u32->add_uint64_data(4000000000u);
  auto* u64 = add("u64", onnx::TensorProto::UINT64, {1});
  u64->add_uint64_data(~uint64_t{0});
  auto* f64 = add("f64", onnx::TensorProto::DOUBLE, {1});
  f64->add_double_data(0.25);
  auto* c64 = add("c64", onnx::TensorProto::COMPLEX64, {1});
  c64->add_float_data(1);
  c64->add_float_data(-1);
  auto* i4 = add("i4", static_cast<int>(DataType::Int4), {3});  // two per byte, low nibble first
  i4->add_int32_data(0x21);
  i4->add_int32_data(0x03);
  auto* f8 = add("f8", static_cast<int>(DataType::Float8E4M3FN), {1});
  f8->add_int32_data(0x38);  // 1.0
  auto* str = add("str", onnx::TensorProto::STRING, {2});
  str->add_string_data("a");
  str->add_string_data("bc");
  add("scalar", onnx::TensorProto::INT32, {})->add_int32_data(-7);
  add("empty", onnx::TensorProto::FLOAT, {0, 4});

  Model k = test::import_proto(m);
  auto tensor = [&](const std::string& name) -> const Tensor& {
    const Value* v = k.graph->find_value(name);
    EXPECT_NE(v, nullptr) << name;
    return *v->initializer();
  };
  auto bytes = [&](const std::string& name) {
    const Tensor& t = tensor(name);
    return std::vector<uint8_t>(t.raw(), t.raw() + t.byte_size());
  };
  EXPECT_EQ(tensor("f32").to_double(), (std::vector<double>{1.5, -2}));
  EXPECT_EQ(bytes("f16"), (std::vector<uint8_t>{0x00, 0x3c, 0x00, 0xc0}));
  EXPECT_EQ(tensor("f16").to_double(), (std::vector<double>{1, -2}));
  EXPECT_EQ(tensor("bf16").to_double(), (std::vector<double>{1}));
  EXPECT_EQ(tensor("i8").to_double(), (std::vector<double>{-1, 127, -128}));
  EXPECT_EQ(bytes("u16"), (std::vector<uint8_t>{0xff, 0xff}));
  EXPECT_EQ(bytes("bool"), (std::vector<uint8_t>{0, 1, 1}));
  EXPECT_EQ(tensor("i64").to_int64(), (std::vector<int64_t>{-5, int64_t{1} << 40}));
  EXPECT_EQ(tensor("u32").to_double(), (std::vector<double>{4000000000.0}));
  EXPECT_EQ(tensor("u64").byte_size(), 8u);
  EXPECT_EQ(tensor("u64").values<uint64_t>()[0], ~uint64_t{0});
  EXPECT_EQ(tensor("f64").to_double(), (std::vector<double>{0.25}));
  EXPECT_EQ(tensor("c64").values<float>().size(), 2u);
  EXPECT_EQ(bytes("i4"), (std::vector<uint8_t>{0x21, 0x03}));
  EXPECT_EQ(tensor("i4").to_double(), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(tensor("f8").to_double(), (std::vector<double>{1}));
  EXPECT_EQ(tensor("str").strings, (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(tensor("scalar").to_int64(), (std::vector<int64_t>{-7}));
  EXPECT_EQ(tensor("empty").byte_size(), 0u);

  // Export writes raw_data for all of them; the bytes come back the same.
  Model again = [&] {
    std::string out = serialize_model(k);
    onnx::ModelProto p;
    EXPECT_TRUE(p.ParseFromString(out));
    for (const onnx::TensorProto& t : p.graph().initializer()) {
      if (t.data_type() == onnx::TensorProto::STRING) {
        EXPECT_EQ(t.string_data_size(), 2);
      } else {
        EXPECT_EQ(t.float_data_size() + t.int32_data_size() + t.int64_data_size() + t.double_data_size() +
                      t.uint64_data_size(), 0) << t.name();
      }
    }
    return load_model_from_bytes(out.data(), out.size(), "again");
  }();
  EXPECT_EQ(test::diff_models(k, again), "");
}

TEST(OnnxImport, OptionalInputsAndOutputs) {
  onnx::ModelProto m = test::relu_model();
  test::add_node(*m.mutable_graph(), "Dropout", {"y", "", ""}, {"d", ""}, "drop");
  Model k = test::import_proto(m);
  const Node* n = node_named(*k.graph, "drop");
  ASSERT_NE(n, nullptr);
  ASSERT_EQ(n->num_inputs(), 3u);
  EXPECT_EQ(n->input(1), nullptr);
  EXPECT_EQ(n->input(2), nullptr);
  ASSERT_EQ(n->num_outputs(), 2u);
  EXPECT_EQ(n->output(1), nullptr);
  onnx::ModelProto back;
  ASSERT_TRUE(back.ParseFromString(serialize_model(k)));
  EXPECT_EQ(back.graph().node(1).input_size(), 3);
  EXPECT_EQ(back.graph().node(1).output(1), "");
}

TEST(OnnxImport, ValueTypes) {
  onnx::ModelProto m = test::make_model();
  onnx::GraphProto& g = *m.mutable_graph();
  onnx::ValueInfoProto* x = g.add_input();
  x->set_name("x");
  x->set_doc_string("the input");
  auto* tt = x->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT16);
  tt->mutable_shape()->add_dim()->set_dim_param("batch");
  tt->mutable_shape()->add_dim();  // unknown
  auto* d = tt->mutable_shape()->add_dim();
  d->set_dim_value(3);
  d->set_denotation("DATA_CHANNEL");
  x->mutable_type()->set_denotation("IMAGE");
  onnx::ValueInfoProto* seq = g.add_input();
  seq->set_name("s");
  seq->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(1);
  onnx::ValueInfoProto* untyped = g.add_input();
  untyped->set_name("u");
  onnx::ValueInfoProto* rank_unknown = g.add_input();
  rank_unknown->set_name("r");
  rank_unknown->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
  test::add_node(g, "Identity", {"x"}, {"mid"});
  test::add_node(g, "Identity", {"mid"}, {"y"});
  test::set_tensor_type(g.add_value_info(), "mid", onnx::TensorProto::FLOAT16, {4, 3});
  test::set_tensor_type(g.add_value_info(), "stale", onnx::TensorProto::FLOAT, {1});
  g.add_output()->set_name("y");

  Model k = test::import_proto(m);
  const Value* vx = k.graph->find_value("x");
  ASSERT_TRUE(vx->type.is_tensor());
  EXPECT_EQ(vx->type.dtype, DataType::Float16);
  EXPECT_EQ(vx->type.str(), "f16[batch,?,3]");
  EXPECT_EQ(vx->type.denotation, "IMAGE");
  EXPECT_EQ(vx->type.shape->dims[2].denotation, "DATA_CHANNEL");
  EXPECT_EQ(vx->doc_string, "the input");
  const Value* vs = k.graph->find_value("s");
  EXPECT_EQ(vs->type.kind, ValueType::Kind::Other);
  onnx::TypeProto other;
  ASSERT_TRUE(other.ParseFromString(vs->type.other));
  EXPECT_TRUE(other.has_sequence_type());
  EXPECT_FALSE(k.graph->find_value("u")->type.is_known());
  EXPECT_FALSE(k.graph->find_value("r")->type.shape.has_value());
  const Value* mid = k.graph->find_value("mid");
  EXPECT_TRUE(mid->has_value_info);
  EXPECT_EQ(mid->type.str(), "f16[4,3]");
  EXPECT_FALSE(k.graph->find_value("y")->type.is_known());
  EXPECT_EQ(k.graph->find_value("stale"), nullptr);

  Model again = [&] {
    std::string out = serialize_model(k);
    return load_model_from_bytes(out.data(), out.size(), "again");
  }();
  EXPECT_EQ(test::diff_models(k, again), "");
}

TEST(OnnxImport, AttributesOfEveryKind) {
  onnx::ModelProto m = test::relu_model();
  onnx::NodeProto* n = test::add_node(*m.mutable_graph(), "Custom", {"y"}, {"z"}, "custom");
  n->set_domain("com.example");
  n->set_doc_string("node doc");
  add_attr(n, "f", onnx::AttributeProto::FLOAT)->set_f(0.5f);
  add_attr(n, "i", onnx::AttributeProto::INT)->set_i(-3);
  add_attr(n, "s", onnx::AttributeProto::STRING)->set_s(std::string("bytes\0ok", 8));
  auto* fs = add_attr(n, "fs", onnx::AttributeProto::FLOATS);
  fs->add_floats(1);
  fs->add_floats(2);
  auto* is = add_attr(n, "is", onnx::AttributeProto::INTS);
  is->add_ints(4);
  auto* ss = add_attr(n, "ss", onnx::AttributeProto::STRINGS);
  ss->add_strings("p");
  ss->add_strings("q");
  auto* t = add_attr(n, "t", onnx::AttributeProto::TENSOR)->mutable_t();
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(2);
  t->add_int64_data(8);
  t->add_int64_data(9);
  auto* ts = add_attr(n, "ts", onnx::AttributeProto::TENSORS);
  ts->add_tensors()->set_data_type(onnx::TensorProto::FLOAT);
  ts->mutable_tensors(0)->add_float_data(1);
  auto* sp = add_attr(n, "sp", onnx::AttributeProto::SPARSE_TENSOR)->mutable_sparse_tensor();
  sp->add_dims(4);
  sp->mutable_values()->set_data_type(onnx::TensorProto::FLOAT);
  auto* tp = add_attr(n, "tp", onnx::AttributeProto::TYPE_PROTO)->mutable_tp();
  tp->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT8);
  auto* tps = add_attr(n, "tps", onnx::AttributeProto::TYPE_PROTOS);
  tps->add_type_protos()->mutable_sequence_type();
  tps->add_type_protos()->mutable_map_type()->set_key_type(7);
  auto* ref = add_attr(n, "alpha", onnx::AttributeProto::FLOAT);
  ref->set_ref_attr_name("outer_alpha");
  ref->set_doc_string("attr doc");
  onnx::AttributeProto* untyped = n->add_attribute();  // written by ONNX's earliest exporters
  untyped->set_name("legacy");
  untyped->set_i(11);
  auto* gs = add_attr(n, "bodies", onnx::AttributeProto::GRAPHS);
  for (int i = 0; i < 2; ++i) {
    onnx::GraphProto* body = gs->add_graphs();
    test::add_node(*body, "Identity", {"y"}, {"o"});
    body->add_output()->set_name("o");
  }

  Model k = test::import_proto(m);
  const Node* c = node_named(*k.graph, "custom");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->domain, "com.example");
  EXPECT_EQ(c->doc_string, "node doc");
  ASSERT_EQ(c->attrs().size(), 14u);
  EXPECT_EQ(c->attr_float("f", 0), 0.5f);
  EXPECT_EQ(c->attr_int("i", 0), -3);
  EXPECT_EQ(c->attr_string("s", ""), std::string("bytes\0ok", 8));
  EXPECT_EQ(c->attr_floats("fs"), (std::vector<float>{1, 2}));
  EXPECT_EQ(c->attr_ints("is"), (std::vector<int64_t>{4}));
  EXPECT_EQ(c->attr("ss")->strings, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(c->attr("t")->tensor()->to_int64(), (std::vector<int64_t>{8, 9}));
  EXPECT_EQ(c->attr("ts")->tensors.size(), 1u);
  EXPECT_EQ(c->attr("sp")->kind, AttrKind::SparseTensor);
  EXPECT_EQ(c->attr("sp")->opaque.at(0), sp->SerializeAsString());
  EXPECT_EQ(c->attr("tp")->opaque.at(0), tp->SerializeAsString());
  EXPECT_EQ(c->attr("tps")->opaque.size(), 2u);
  EXPECT_EQ(c->attr("alpha")->ref_attr_name, "outer_alpha");
  EXPECT_EQ(c->attr("alpha")->doc_string, "attr doc");
  EXPECT_EQ(c->attr("legacy")->kind, AttrKind::Int);
  EXPECT_EQ(c->attr_int("legacy", 0), 11);
  ASSERT_EQ(c->attr("bodies")->graphs.size(), 2u);
  EXPECT_TRUE(c->attr("bodies")->graphs[1]->find_value("y")->is_capture());

  std::string out = serialize_model(k);
  Model again = load_model_from_bytes(out.data(), out.size(), "again");
  EXPECT_EQ(test::diff_models(k, again), "");
}

TEST(OnnxImport, SubgraphCapturesAndIds) {
  onnx::ModelProto m = test::relu_model();
  onnx::GraphProto& g = *m.mutable_graph();
  test::set_tensor_type(g.add_input(), "cond", onnx::TensorProto::BOOL, {});
  onnx::NodeProto* outer = add_if(g, "outer", "cond", "r");
  // The then-branch of `outer` holds another If whose branches read the top-level "x".
  onnx::GraphProto* then_body = outer->mutable_attribute(0)->mutable_g();
  add_if(*then_body, "inner", "cond", "inner_r");
  then_body->add_output()->set_name("inner_r");
  test::add_node(g, "Identity", {"r"}, {"out"}, "last");

  Model k = test::import_proto(m);
  const Graph& top = *k.graph;
  const Node* relu = node_named(top, "relu");
  const Node* if_outer = node_named(top, "outer");
  const Node* last = node_named(top, "last");
  ASSERT_TRUE(relu && if_outer && last);
  // Ids in graph order, a node before its subgraphs' nodes.
  EXPECT_EQ(relu->id(), 0u);
  EXPECT_EQ(if_outer->id(), 1u);
  EXPECT_EQ(if_outer->provenance, (std::vector<NodeId>{1}));
  const Graph* then_g = if_outer->attr("then_branch")->graph();
  ASSERT_NE(then_g, nullptr);
  EXPECT_EQ(then_g->name, "then_branch_of_outer");
  const Node* if_inner = node_named(*then_g, "inner");
  ASSERT_NE(if_inner, nullptr);
  EXPECT_EQ(if_inner->id(), 3u);  // after outer's then-branch "neg" (2)
  EXPECT_EQ(last->id(), k.graph->next_node_id() - 1);

  // "x" and "cond" are captures where they are read, never subgraph inputs.
  EXPECT_TRUE(then_g->find_value("x")->is_capture());
  EXPECT_TRUE(then_g->find_value("cond")->is_capture());
  EXPECT_TRUE(then_g->inputs().empty());
  const Graph* inner_then = if_inner->attr("then_branch")->graph();
  EXPECT_TRUE(inner_then->find_value("x")->is_capture());
  EXPECT_EQ(k.graph->total_node_count(), 2u + 1u + 1u + 2u + 1u + 1u);
  EXPECT_TRUE(k.graph->verify().empty());

  onnx::ModelProto back;
  ASSERT_TRUE(back.ParseFromString(serialize_model(k)));
  const onnx::GraphProto& then_proto = back.graph().node(1).attribute(0).g();
  EXPECT_EQ(then_proto.input_size(), 0);
  EXPECT_EQ(then_proto.node(0).input(0), "x");
}

TEST(OnnxImport, NodesOutOfOrderAreSorted) {
  onnx::ModelProto m = test::make_model();
  onnx::GraphProto& g = *m.mutable_graph();
  test::set_tensor_type(g.add_input(), "x", onnx::TensorProto::FLOAT, {1});
  test::set_tensor_type(g.add_input(), "cond", onnx::TensorProto::BOOL, {});
  test::add_node(g, "Neg", {"c"}, {"d"}, "n3");
  // An If whose body reads "b" from the outer graph must come after b's producer.
  onnx::NodeProto* n_if = test::add_node(g, "If", {"cond"}, {"e"}, "n_if");
  for (const char* branch : {"then_branch", "else_branch"}) {
    onnx::GraphProto* body = add_attr(n_if, branch, onnx::AttributeProto::GRAPH)->mutable_g();
    test::add_node(*body, "Identity", {"b"}, {"o"});
    body->add_output()->set_name("o");
  }
  test::add_node(g, "Relu", {"b"}, {"c"}, "n2");
  test::add_node(g, "Abs", {"x"}, {"b"}, "n1");
  g.add_output()->set_name("d");
  g.add_output()->set_name("e");

  Model k = test::import_proto(m);
  std::vector<std::string> order;
  for (const Node* n : k.graph->nodes()) order.push_back(n->name);
  // Producers first; otherwise the file's order (n_if was before n2 and n3).
  EXPECT_EQ(order, (std::vector<std::string>{"n1", "n_if", "n2", "n3"}));
  EXPECT_TRUE(k.graph->verify().empty());
}

TEST(OnnxImport, UnknownFieldsSurviveARoundTrip) {
  onnx::ModelProto m = test::relu_model();
  m.mutable_unknown_fields()->AddVarint(900, 1);
  m.mutable_graph()->mutable_unknown_fields()->AddLengthDelimited(901, "graph-extra");
  onnx::NodeProto* node = m.mutable_graph()->mutable_node(0);
  node->mutable_unknown_fields()->AddVarint(999, 42);
  // IR 10 fields this schema does not know: overload and metadata_props.
  node->mutable_unknown_fields()->AddLengthDelimited(8, "my_overload");
  onnx::StringStringEntryProto entry;
  entry.set_key("origin");
  entry.set_value("conv1");
  node->mutable_unknown_fields()->AddLengthDelimited(9, entry.SerializeAsString());
  m.mutable_graph()->mutable_unknown_fields()->AddLengthDelimited(16, entry.SerializeAsString());
  m.mutable_graph()->mutable_input(0)->mutable_unknown_fields()->AddFixed32(902, 7);
  onnx::TensorProto* w = test::add_float_initializer(*m.mutable_graph(), "w", {1}, {1});
  w->mutable_unknown_fields()->AddLengthDelimited(16, entry.SerializeAsString());
  onnx::AttributeProto* a = add_attr(node, "alpha", onnx::AttributeProto::FLOAT);
  a->mutable_unknown_fields()->AddVarint(903, 3);

  Model k = test::import_proto(m);
  const Node* relu = node_named(*k.graph, "relu");
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->overload, "my_overload");
  ASSERT_EQ(relu->metadata_props.size(), 1u);
  EXPECT_EQ(relu->metadata_props[0], std::make_pair(std::string("origin"), std::string("conv1")));
  EXPECT_FALSE(relu->unknown_fields.empty());
  ASSERT_EQ(k.graph->metadata_props.size(), 1u);

  onnx::ModelProto back;
  ASSERT_TRUE(back.ParseFromString(serialize_model(k)));
  auto has_field = [](const UnknownFieldSet& set, int number) {
    for (int i = 0; i < set.field_count(); ++i)
      if (set.field(i).number() == number) return &set.field(i);
    return static_cast<const google::protobuf::UnknownField*>(nullptr);
  };
  const onnx::NodeProto& n = back.graph().node(0);
  ASSERT_NE(has_field(n.unknown_fields(), 999), nullptr);
  EXPECT_EQ(has_field(n.unknown_fields(), 999)->varint(), 42u);
  ASSERT_NE(has_field(n.unknown_fields(), 8), nullptr);
  EXPECT_EQ(has_field(n.unknown_fields(), 8)->length_delimited(), "my_overload");
  ASSERT_NE(has_field(n.unknown_fields(), 9), nullptr);
  EXPECT_EQ(has_field(n.unknown_fields(), 9)->length_delimited(), entry.SerializeAsString());
  EXPECT_NE(has_field(back.unknown_fields(), 900), nullptr);
  EXPECT_NE(has_field(back.graph().unknown_fields(), 901), nullptr);
  EXPECT_NE(has_field(back.graph().unknown_fields(), 16), nullptr);
  EXPECT_NE(has_field(back.graph().input(0).unknown_fields(), 902), nullptr);
  EXPECT_NE(has_field(back.graph().initializer(0).unknown_fields(), 16), nullptr);
  EXPECT_NE(has_field(n.attribute(0).unknown_fields(), 903), nullptr);

  std::string again_bytes = back.SerializeAsString();
  Model again = load_model_from_bytes(again_bytes.data(), again_bytes.size(), "again");
  EXPECT_EQ(test::diff_models(k, again), "");
}

TEST(OnnxImport, LegacyInitializersListedAsInputs) {
  onnx::ModelProto m = test::make_model(3, 8);
  onnx::GraphProto& g = *m.mutable_graph();
  test::set_tensor_type(g.add_input(), "x", onnx::TensorProto::FLOAT, {2});
  test::set_tensor_type(g.add_input(), "w", onnx::TensorProto::FLOAT, {2});
  test::add_float_initializer(g, "w", {2}, {1, 2});
  test::add_node(g, "Add", {"x", "w"}, {"y"});
  test::set_tensor_type(g.add_output(), "y", onnx::TensorProto::FLOAT, {2});
  Model k = test::import_proto(m);
  const Value* w = k.graph->find_value("w");
  EXPECT_TRUE(w->is_graph_input());
  EXPECT_TRUE(w->is_initializer());
  EXPECT_EQ(k.graph->inputs().size(), 2u);
}

TEST(OnnxImport, SparseInitializer) {
  onnx::ModelProto m = test::relu_model();
  onnx::GraphProto& g = *m.mutable_graph();
  onnx::SparseTensorProto* sp = g.add_sparse_initializer();
  sp->add_dims(2);
  sp->add_dims(3);
  onnx::TensorProto* values = sp->mutable_values();
  values->set_name("sparse_w");
  values->set_data_type(onnx::TensorProto::FLOAT);
  values->add_dims(2);
  values->add_float_data(5);
  values->add_float_data(7);
  onnx::TensorProto* indices = sp->mutable_indices();
  indices->set_data_type(onnx::TensorProto::INT64);
  indices->add_dims(2);
  indices->add_dims(2);
  for (int64_t v : {0, 1, 1, 2}) indices->add_int64_data(v);  // (0,1) and (1,2)
  test::add_node(g, "Add", {"y", "sparse_w"}, {"z"}, "add");
  onnx::TensorAnnotation* qa = g.add_quantization_annotation();
  qa->set_tensor_name("z");
  std::string sparse_bytes = sp->SerializeAsString();

  Model k = test::import_proto(m);
  const Value* w = k.graph->find_value("sparse_w");
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->is_initializer());
  EXPECT_EQ(w->initializer()->dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(w->initializer()->to_double(), (std::vector<double>{0, 5, 0, 0, 0, 7}));

  onnx::ModelProto back;
  ASSERT_TRUE(back.ParseFromString(serialize_model(k)));
  ASSERT_EQ(back.graph().sparse_initializer_size(), 1);
  EXPECT_EQ(back.graph().sparse_initializer(0).SerializeAsString(), sparse_bytes);
  EXPECT_EQ(back.graph().initializer_size(), 0);
  ASSERT_EQ(back.graph().quantization_annotation_size(), 1);
  EXPECT_EQ(back.graph().quantization_annotation(0).tensor_name(), "z");

  // Once a pass changes the weight, the stale sparse form is dropped and the dense one written.
  Value* mutable_w = k.graph->find_value("sparse_w");
  k.graph->set_initializer(mutable_w, Tensor::from_values<float>("sparse_w", DataType::Float32, {2, 3}, {1, 1, 1, 1, 1, 1}));
  ASSERT_TRUE(back.ParseFromString(serialize_model(k)));
  EXPECT_EQ(back.graph().sparse_initializer_size(), 0);
  ASSERT_EQ(back.graph().initializer_size(), 1);
  EXPECT_EQ(back.graph().initializer(0).name(), "sparse_w");
}

TEST(OnnxImport, ExternalDataNotLoaded) {
  test::TempDir dir;
  onnx::ModelProto m = test::relu_model();
  onnx::TensorProto* t = m.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* e = t->add_external_data();
  e->set_key("location");
  e->set_value("absent.bin");
  test::write_file(dir.file("m.onnx"), m.SerializeAsString());
  ImportOptions options;
  options.load_external_data = false;
  Model k = load_model(dir.file("m.onnx"), options);
  const Tensor& w = *k.graph->find_value("w")->initializer();
  ASSERT_NE(w.external, nullptr);
  EXPECT_EQ(w.external->location, "absent.bin");
  EXPECT_EQ(w.byte_size(), 0u);
  try {
    serialize_model(k);
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(test::contains(e.what(), "initializer 'w': its external data ('absent.bin') was not loaded"));
  }
}

}  // namespace
}  // namespace kiln
