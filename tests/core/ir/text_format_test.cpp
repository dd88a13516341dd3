#include "core/ir/text_format.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "core/builder/model_builder.h"
#include "core/util/error.h"

namespace kiln {
namespace {

PrintOptions full() {
  PrintOptions o;
  o.max_inline_elements = 1 << 20;
  return o;
}

std::shared_ptr<const Tensor> raw_tensor(std::string name, DataType dt, std::vector<int64_t> dims,
                                         std::vector<uint8_t> bytes) {
  return Tensor::make(std::move(name), dt, std::move(dims), std::move(bytes));
}

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// One initializer of every element type, with the awkward values of each.
void add_all_dtypes(ModelBuilder& b) {
  const float inf = std::numeric_limits<float>::infinity();
  b.init("f32", DataType::Float32, {3, 3},
         {0.1f, -0.f, 1.f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
          std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(), 1e-5f});
  b.init(raw_tensor("f64", DataType::Float64, {3}, bytes_of<double>({0.1, -1e300, 5e-324})));
  b.init(raw_tensor("f16", DataType::Float16, {5}, bytes_of<uint16_t>({0x3c00, 0x0001, 0x7c00, 0x7e00, 0xb555})));
  b.init(raw_tensor("bf16", DataType::BFloat16, {3}, bytes_of<uint16_t>({0x3f80, 0xc2f7, 0x0001})));
  b.init(raw_tensor("i8", DataType::Int8, {3}, bytes_of<int8_t>({-128, 0, 127})));
  b.init(raw_tensor("u8", DataType::UInt8, {2}, bytes_of<uint8_t>({0, 255})));
  b.init(raw_tensor("i16", DataType::Int16, {2}, bytes_of<int16_t>({-32768, 32767})));
  b.init(raw_tensor("u16", DataType::UInt16, {1}, bytes_of<uint16_t>({65535})));
  b.init_i32("i32", {2}, {std::numeric_limits<int32_t>::min(), 42});
  b.init(raw_tensor("u32", DataType::UInt32, {1}, bytes_of<uint32_t>({4000000000u})));
  b.init_i64("i64", {2}, {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()});
  b.init(raw_tensor("u64", DataType::UInt64, {1}, bytes_of<uint64_t>({~0ull})));
  b.init(raw_tensor("bool", DataType::Bool, {2}, {1, 0}));
  b.init(raw_tensor("c64", DataType::Complex64, {2}, bytes_of<float>({1.f, -2.f, 0.5f, 0.f})));
  b.init(raw_tensor("c128", DataType::Complex128, {1}, bytes_of<double>({1.0, 0.25})));
  b.init(raw_tensor("f8a", DataType::Float8E4M3FN, {2}, {0x38, 0xff}));
  b.init(raw_tensor("f8b", DataType::Float8E4M3FNUZ, {1}, {0x80}));
  b.init(raw_tensor("f8c", DataType::Float8E5M2, {1}, {0x3c}));
  b.init(raw_tensor("f8d", DataType::Float8E5M2FNUZ, {1}, {0x01}));
  b.init(raw_tensor("u4", DataType::UInt4, {3}, {0xf1, 0x07}));
  b.init(raw_tensor("i4", DataType::Int4, {2}, {0x8f}));
  b.init(raw_tensor("f4", DataType::Float4E2M1, {3}, {0x21, 0x0f}));
  b.init(raw_tensor("empty", DataType::Float32, {0, 3}, {}));
  auto s = std::make_shared<Tensor>();
  s->name = "strs";
  s->dtype = DataType::String;
  s->dims = {3};
  s->strings = {"plain", "quote \" backslash \\ newline \n tab \t", std::string("nul\0byte", 8)};
  s->data = Buffer::adopt(std::vector<uint8_t>{});
  b.init(s);
}

// A body for If: reads `outer` from the enclosing graph and has a nested Loop of its own.
std::unique_ptr<Graph> then_branch(ModelBuilder& b) {
  auto g = b.new_subgraph("then body");
  GraphBuilder tb(*g);
  Value* outer = tb.capture("input.1");
  outer->type = ValueType::tensor(DataType::Float32, Shape({Dim::symbolic("batch")}));
  Value* k = tb.init(make_tensor("k", DataType::Float32, {}, {2.f}));
  Value* y = tb.op("Mul", {outer, k}, {}, "/then/Mul");

  auto body = g->new_subgraph();
  body->name = "loop body";
  GraphBuilder lb(*body);
  Value* iter = lb.input("i", DataType::Int64, {});
  Value* cond = lb.input("cond_in", DataType::Bool, {});
  Value* carried = lb.input("acc", DataType::Float32, {Dim::symbolic("batch")});
  Value* captured = lb.capture("/then/Mul_output_0");
  Value* sum = lb.op("Add", {carried, captured});
  Value* cond_out = lb.op("Identity", {cond});
  (void)iter;
  lb.output(cond_out);
  lb.output(sum, DataType::Float32, {Dim::symbolic("batch")});
  Value* trip = tb.init(make_tensor_i64("trip", {}, {3}));
  std::vector<Attribute> attrs;
  attrs.push_back(attr::g("body", std::move(body)));
  Value* looped = tb.op("Loop", {trip, nullptr, y}, std::move(attrs), "/then/Loop");
  tb.output(looped);
  return g;
}

Model kitchen_sink() {
  ModelBuilder b("kitchen sink", 17, 3);
  Model& m = b.model();
  m.producer_version = "1.0";
  m.domain = "ai.kiln.test";
  m.model_version = 3;
  m.doc_string = "a \"doc\"\nwith two lines";
  m.metadata_props = {{"author", "kiln"}, {"empty", ""}};
  m.set_opset("com.microsoft", 1);
  m.set_opset("my-domain", 2);
  m.functions.push_back(std::string("\x0a\x03\x66oo\x00", 6));
  m.graph->doc_string = "graph doc";
  m.graph->metadata_props = {{"k", "v"}};
  Graph& g = b.graph();

  Value* x = b.input("input.1", DataType::Float32,
                     {Dim::symbolic("batch"), Dim::symbolic("seq len"), Dim::unknown(), Dim::known(8)});
  Value* cond = b.input("cond", DataType::Bool, std::vector<int64_t>{});
  Value* untyped = g.add_input("untyped", ValueType{});
  Value* any_rank = g.add_input("any rank", ValueType::tensor(DataType::Float16));
  ValueType seq;
  seq.kind = ValueType::Kind::Other;
  seq.other = std::string("\x12\x04\x0a\x02\x08\x01", 6);
  Value* opaque = g.add_input("seq", seq);
  g.add_input("bias", ValueType::tensor(DataType::Float32, Shape::of({2})));
  g.add_initializer(make_tensor("bias", DataType::Float32, {2}, {0.5f, -0.5f}));  // a default value
  add_all_dtypes(b);

  Value* c1 = b.constant(make_tensor_i64("", {2}, {1, -1}), "/Constant");
  Value* c2 = b.constant(make_tensor("named", DataType::Float32, {1}, {3.f}), "/Constant_1");
  Value* r = b.op("Reshape", {x, c1}, {attr::i("allowzero", 0)}, "/Reshape");

  std::vector<Attribute> attrs;
  attrs.push_back(attr::i("num_heads", 4));
  attrs.push_back(attr::f("scale", 1.f));
  attrs.push_back(attr::f("eps", 1e-5f));
  attrs.push_back(attr::f("neg_inf", -std::numeric_limits<float>::infinity()));
  attrs.push_back(attr::s("mode", "say \"hi\"\n"));
  attrs.push_back(attr::ints("axes", {0, -1}));
  attrs.push_back(attr::floats("coeffs", {1.f, 0.25f, -3e38f}));
  attrs.push_back(attr::strings("names", {"a", ""}));
  attrs.push_back(attr::ints("no_ints", {}));
  attrs.push_back(attr::floats("no_floats", {}));
  attrs.push_back(attr::strings("no_strings", {}));
  attrs.push_back(Attribute("no_tensors", AttrKind::Tensors));
  attrs.push_back(Attribute("no_graphs", AttrKind::Graphs));
  Attribute ts("tensors", AttrKind::Tensors);
  ts.tensors = {make_tensor("", DataType::Float32, {1}, {1.f}), make_tensor_i32("t2", {2}, {1, 2})};
  attrs.push_back(std::move(ts));
  Attribute sparse("sparse", AttrKind::SparseTensor);
  sparse.opaque = {std::string("\x0a\x00", 2)};
  attrs.push_back(std::move(sparse));
  Attribute tps("types", AttrKind::TypeProtos);
  tps.opaque = {"\x0a\x02", ""};
  attrs.push_back(std::move(tps));
  Attribute ref("alpha", AttrKind::Float);
  ref.ref_attr_name = "outer_alpha";
  attrs.push_back(std::move(ref));
  attrs.push_back(attr::i("odd name!", 1));
  Node* att = b.node("Attention", {r, nullptr, c2}, {"attn", "", "present"}, std::move(attrs), "/attn/Attention",
                     "com.microsoft");
  att->output(0)->type = ValueType::tensor(DataType::Float32, Shape({Dim::symbolic("batch"), Dim::known(8)}));
  att->overload = "v2";
  att->metadata_props = {{"source", "layer 3"}};
  att->doc_string = "stack trace:\n  at foo()";
  att->provenance = {att->id(), 1000};

  b.node("Print", {att->output(2), untyped, any_rank, opaque}, {}, {}, "", "my-domain");
  Value* w = b.op("Weird Op", {att->output(0)}, {}, "", "my-domain");
  w->type = seq;

  std::vector<Attribute> if_attrs;
  if_attrs.push_back(attr::g("then_branch", then_branch(b)));
  auto else_g = b.new_subgraph("else");
  GraphBuilder eb(*else_g);
  eb.output(eb.op("Neg", {eb.capture("input.1")}, {}, "/else/Neg"));
  if_attrs.push_back(attr::g("else_branch", std::move(else_g)));
  Attribute graphs("branches", AttrKind::Graphs);
  auto g1 = b.new_subgraph("one");
  GraphBuilder g1b(*g1);
  g1b.output(g1b.op("Identity", {g1b.input("a", DataType::Float32, {})}));
  graphs.graphs.push_back(std::move(g1));
  graphs.graphs.push_back(b.new_subgraph("empty"));
  if_attrs.push_back(std::move(graphs));
  Value* y = b.op("If", {cond}, std::move(if_attrs), "/If");
  b.output(y);
  b.output(w);
  b.output(x);
  return b.take();
}

void expect_round_trip(const Model& m, const PrintOptions& o) {
  std::string text = print_model(m, o);
  Model back = parse_model_text(text);
  EXPECT_EQ(print_model(back, o), text);
  EXPECT_TRUE(back.graph->verify().empty());
}

TEST(TextFormat, KitchenSinkRoundTrips) {
  Model m = kitchen_sink();
  expect_round_trip(m, full());
  PrintOptions o = full();
  o.show_ids = true;
  o.show_doc_strings = true;
  expect_round_trip(m, o);
}

TEST(TextFormat, ShowsWhatWasAskedFor) {
  Model m = kitchen_sink();
  std::string plain = print_model(m, full());
  EXPECT_EQ(plain.find("stack trace"), std::string::npos);
  EXPECT_EQ(plain.find(" #"), std::string::npos);
  PrintOptions o = full();
  o.show_ids = true;
  o.show_doc_strings = true;
  std::string rich = print_model(m, o);
  EXPECT_NE(rich.find("doc \"stack trace:\\n  at foo()\""), std::string::npos) << rich;
  EXPECT_NE(rich.find("<-{"), std::string::npos);
  EXPECT_NE(rich.find("doc \"a \\\"doc\\\"\\nwith two lines\""), std::string::npos);
}

TEST(TextFormat, ParsedValuesAreExact) {
  Model m = kitchen_sink();
  Model back = parse_model_text(print_model(m, full()));
  for (const char* name : {"f32", "f64", "f16", "bf16", "i64", "u64", "u4", "i4", "f4", "f8a", "c64", "bool"}) {
    const Tensor* a = m.graph->find_value(name)->initializer().get();
    const Tensor* b = back.graph->find_value(name)->initializer().get();
    ASSERT_EQ(a->byte_size(), b->byte_size()) << name;
    // NaN prints as "nan" and reads back as the canonical quiet NaN, which f32 0x7fc00000 is.
    EXPECT_EQ(0, std::memcmp(a->raw(), b->raw(), a->byte_size())) << name;
  }
  EXPECT_EQ(back.graph->find_value("strs")->initializer()->strings,
            m.graph->find_value("strs")->initializer()->strings);
  const Value* x = back.graph->find_value("input.1");
  EXPECT_EQ(x->type.shape->dims[1].symbol, "seq len");
  EXPECT_FALSE(x->type.shape->dims[2].is_known());
  EXPECT_EQ(back.graph->find_value("bias")->is_graph_input(), true);
  EXPECT_EQ(back.graph->find_value("bias")->is_initializer(), true);
  EXPECT_EQ(back.opset("com.microsoft"), 1);
  EXPECT_EQ(back.functions, m.functions);
}

TEST(TextFormat, PrintsTheDocumentedSyntax) {
  ModelBuilder b("tiny", 17);
  b.model().producer_name = "test";
  Value* x = b.input("x", DataType::Float32, {Dim::symbolic("batch"), Dim::known(3)});
  Value* w = b.random_init("fc.weight", {3, 3});
  Value* shape = b.ints("shape", {1, -1});
  Value* y = b.op("MatMul", {x, w}, {}, "/fc/MatMul");
  y->type = ValueType::tensor(DataType::Float32, Shape({Dim::symbolic("batch"), Dim::known(3)}));
  Value* z = b.op("Reshape", {y, shape}, {attr::i("allowzero", 0)}, "/Reshape");
  auto outs = b.op_n("Dropout", {z}, 2, {attr::f("ratio", 0.5f)});
  b.output(outs[0]);
  Model m = b.take();
  PrintOptions o;
  o.max_inline_elements = 4;
  const std::string expected =
      "model ir_version=8 producer_name=\"test\"\n"
      "opset \"\" 17\n"
      "graph \"tiny\" (%x: f32[batch,3]) -> (%Dropout_0: ?) {\n"
      "  init %fc.weight: f32[3,3] = {9 values, hash " +
      std::string(16, '#') +
      "}\n"
      "  init %shape: i64[2] = [1, -1]\n"
      "  %\"/fc/MatMul_output_0\": f32[batch,3] = MatMul(%x, %fc.weight) @\"/fc/MatMul\"\n"
      "  %\"/Reshape_output_0\" = Reshape(%\"/fc/MatMul_output_0\", %shape) {allowzero=0} @\"/Reshape\"\n"
      "  %Dropout_0, %Dropout_1 = Dropout(%\"/Reshape_output_0\") {ratio=0.5}\n"
      "}\n";
  std::string text = print_model(m, o);
  // The hash depends on the weights; blank it out and check it separately.
  size_t h = text.find("hash ") + 5;
  std::string hash = text.substr(h, 16);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  text.replace(h, 16, std::string(16, '#'));
  EXPECT_EQ(text, expected);
}

TEST(TextFormat, HashChangesWithTheWeights) {
  auto print_with = [](float v) {
    ModelBuilder b;
    Value* w = b.init("w", DataType::Float32, {32}, std::vector<float>(32, v));
    b.output(b.op("Relu", {w}));
    return print_model(b.take());
  };
  EXPECT_EQ(print_with(1.f), print_with(1.f));
  EXPECT_NE(print_with(1.f), print_with(2.f));
}

TEST(TextFormat, ForwardReferencesReadBack) {
  const std::string text =
      "model ir_version=8\n"
      "opset \"\" 17\n"
      "graph \"g\" (%x: f32[2]) -> (%z: ?) {\n"
      "  %z = Relu(%y)\n"
      "  %y = Neg(%x)\n"
      "}\n";
  Model m = parse_model_text(text);
  EXPECT_EQ(print_model(m), text);
  EXPECT_FALSE(m.graph->verify().empty());  // out of order, as written
  EXPECT_TRUE(m.graph->topological_sort());
  EXPECT_TRUE(m.graph->verify().empty());
}

TEST(TextFormat, CommentsAndLayoutAreFree) {
  Model m = parse_model_text(
      "// a hand-written fixture\n"
      "model ir_version=7 opset \"\" 13\n"
      "graph \"g\" (%x: f32[2]) -> (%y: f32[2]) { %y = Relu(%x)   // trailing\n }");
  EXPECT_EQ(m.ir_version, 7);
  EXPECT_EQ(m.graph->node_count(), 1u);
  EXPECT_EQ(m.graph->outputs()[0]->type.str(), "f32[2]");
}

std::string error_of(const std::string& body) {
  const std::string text =
      "model ir_version=8\n"
      "opset \"\" 17\n"
      "graph \"g\" (%x: f32[2]) -> (%y: ?) {\n" +
      body + "\n}\n";
  try {
    parse_model_text(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TextFormat, ErrorsNameTheLine) {
  EXPECT_EQ(error_of("  %y = Relu %x"), "line 4: expected '(' after op type Relu, found '%x'");
  EXPECT_EQ(error_of("  %y = Relu(%nope)"), "line 4: undefined value %nope");
  EXPECT_EQ(error_of("  %a = Relu(%x)\n  %x = Relu(%a)"), "line 5: duplicate value name %x");
  EXPECT_EQ(error_of("  %y, %y = Split(%x)"), "line 4: duplicate value name %y");
  EXPECT_EQ(error_of("  %y = Relu(%x) @\"unterminated"), "line 4: unterminated string");
  EXPECT_EQ(error_of("  %y = Relu(%x) {alpha=[]}"),
            "line 4: empty list for attribute 'alpha' needs its kind: ints[], floats[], strings[], tensors[] or "
            "graphs[]");
  EXPECT_EQ(error_of("  init %w: f33[2] = [1, 2]\n  %y = Relu(%x)"), "line 4: unknown element type 'f33'");
  EXPECT_EQ(error_of("\n  init %w: f32[3] = [1, 2]\n  %y = Relu(%x)"),
            "line 5: tensor %w has 2 values but its shape holds 3");
  EXPECT_EQ(error_of("  init %w: i8[1] = [300]\n  %y = Relu(%x)"), "line 4: value 300 is out of range [-128, 127]");
  EXPECT_EQ(error_of("  frobnicate %y"), "line 4: expected a node, 'init', 'capture' or '}', found 'frobnicate'");
  EXPECT_EQ(error_of("  %y = Relu(%x)\n  %z = Relu(%y"),
            "line 6: expected ',' between the inputs of Relu, found '}'");
  EXPECT_EQ(error_of("  %y = Relu(%x) {alpha=1, alpha=2}"), "line 4: attribute 'alpha' is given twice");
  EXPECT_EQ(error_of("  %y = Relu(%x) $"), "line 4: unexpected character '$'");
}

TEST(TextFormat, SummarisedTensorsAreRejected) {
  ModelBuilder b;
  Value* w = b.random_init("conv.weight", {4, 4, 3, 3});
  b.output(b.op("Relu", {w}));
  Model m = b.take();
  std::string text = print_model(m);
  try {
    parse_model_text(text);
    FAIL() << "parsed a summarised tensor";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind("line 4: tensor %conv.weight is summarised {144 values, hash ", 0), 0u) << msg;
  }
  PrintOptions o;
  o.max_inline_elements = 144;
  EXPECT_EQ(print_model(parse_model_text(print_model(m, o)), o), print_model(m, o));
}

TEST(TextFormat, NoOutputsAndMissingGraphs) {
  EXPECT_EQ(error_of("  () = Print(%x)\n  %y = Relu(%x)"), "(no error)");
  EXPECT_EQ(error_of("  %y = If(%x) {then_branch=graph \"t\" () -> () {"),
            "line 6: expected ',' between attributes, found end of input");
  try {
    parse_model_text("model ir_version=8\ngraph \"g\" () -> () {\n");
    FAIL() << "parsed an unclosed graph";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "line 3: graph \"g\" is not closed (missing '}')");
  }
}

// Every prefix and many single-byte corruptions of a valid text either parse or fail with a
// kiln::Error naming a line; nothing else escapes and nothing crashes.
TEST(TextFormat, DamagedInputFailsCleanly) {
  PrintOptions o = full();
  o.show_ids = true;
  o.show_doc_strings = true;
  const std::string text = print_model(kitchen_sink(), o);
  auto attempt = [](const std::string& t) {
    try {
      parse_model_text(t);
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("line ", 0), 0u) << e.what();
    }
  };
  for (size_t n = 0; n < text.size(); n += 3) attempt(text.substr(0, n));
  const std::string junk = "%\"{}[](),=:_#@-0x9e.\n";
  uint64_t state = 12345;
  for (int i = 0; i < 3000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::string t = text;
    t[(state >> 20) % t.size()] = junk[(state >> 50) % junk.size()];
    attempt(t);
  }
}

}  // namespace
}  // namespace kiln
