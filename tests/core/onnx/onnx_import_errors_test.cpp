// Bad input never crashes the importer: each case throws kiln::Error "PATH: reason" on one line.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/onnx/onnx_import.h"
#include "core/util/error.h"
#include "tests/core/onnx/onnx_test_util.h"

namespace kiln {
namespace {

class OnnxImportErrors : public ::testing::Test {
 protected:
  // The message load_model throws for these bytes, written to a file named `name`.
  std::string error_for_bytes(const std::string& bytes, const std::string& name = "bad.onnx") {
    std::string path = dir_.file(name);
    test::write_file(path, bytes);
    return error_for_path(path);
  }
  std::string error_for(const onnx::ModelProto& m) { return error_for_bytes(m.SerializeAsString()); }
  std::string error_for_path(const std::string& path) {
    try {
      load_model(path);
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
      EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "message does not start with the path: " << msg;
      return msg;
    }
    ADD_FAILURE() << path << " imported without an error";
    return "";
  }
  // A model whose initializer "w" (float, dims) is what `edit` makes of it.
  template <class Edit>
  onnx::ModelProto with_initializer(const std::vector<int64_t>& dims, Edit edit) {
    onnx::ModelProto m = test::relu_model();
    onnx::TensorProto* t = test::add_float_initializer(*m.mutable_graph(), "w", dims, {1, 2, 3, 4});
    edit(*t);
    return m;
  }

  test::TempDir dir_;
};

TEST_F(OnnxImportErrors, MissingFile) {
  EXPECT_TRUE(test::contains(error_for_path(dir_.file("nope.onnx")), "no such file"));
}

TEST_F(OnnxImportErrors, Directory) {
  std::filesystem::create_directory(dir_.file("folder.onnx"));
  EXPECT_TRUE(test::contains(error_for_path(dir_.file("folder.onnx")), "is a directory"));
}

TEST_F(OnnxImportErrors, EmptyFile) {
  EXPECT_TRUE(test::contains(error_for_bytes(""), "empty file, not an ONNX model"));
}

TEST_F(OnnxImportErrors, EmptyBytes) {
  try {
    load_model_from_bytes("", 0, "memory.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "memory.onnx: empty file, not an ONNX model");
  }
}

TEST_F(OnnxImportErrors, NotProtobuf) {
  EXPECT_TRUE(test::contains(error_for_bytes(std::string(64, '\xff')), "not a valid ONNX protobuf (parse failed)"));
  // Some text happens to be valid protobuf wire format; it still is no model.
  EXPECT_TRUE(test::contains(error_for_bytes("this is plain text, not a model\n"), "not an ONNX model"));
}

TEST_F(OnnxImportErrors, RandomBytesNeverCrash) {
  uint32_t state = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string bytes(static_cast<size_t>(1 + round * 7), '\0');
    for (char& c : bytes) {
      state = state * 1664525u + 1013904223u;
      c = static_cast<char>(state >> 24);
    }
    EXPECT_THROW(load_model_from_bytes(bytes.data(), bytes.size(), "random.onnx"), Error);
  }
}

TEST_F(OnnxImportErrors, Truncated) {
  onnx::ModelProto m = test::relu_model();
  test::add_float_initializer(*m.mutable_graph(), "w", {4}, {1, 2, 3, 4});
  std::string bytes = m.SerializeAsString();
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1}) {
    std::string msg = error_for_bytes(bytes.substr(0, cut), "cut.onnx");
    EXPECT_TRUE(test::contains(msg, "parse failed"));
    EXPECT_TRUE(test::contains(msg, "truncated"));
  }
}

TEST_F(OnnxImportErrors, NoGraph) {
  onnx::ModelProto m = test::make_model();
  m.clear_graph();
  EXPECT_TRUE(test::contains(error_for(m), "model has no graph"));
}

TEST_F(OnnxImportErrors, IrVersion) {
  onnx::ModelProto m = test::relu_model();
  m.clear_ir_version();
  EXPECT_TRUE(test::contains(error_for(m), "ir_version is missing"));
  m.set_ir_version(0);
  EXPECT_TRUE(test::contains(error_for(m), "unsupported ir_version 0"));
  m.set_ir_version(-3);
  EXPECT_TRUE(test::contains(error_for(m), "unsupported ir_version -3"));
  m.set_ir_version(99);
  EXPECT_TRUE(test::contains(error_for(m), "unsupported ir_version 99"));
  for (int64_t v : {3, 9, 10, 11, 14}) {
    m.set_ir_version(v);
    EXPECT_NO_THROW(test::import_proto(m)) << "ir_version " << v;
  }
}

TEST_F(OnnxImportErrors, Cycle) {
  onnx::ModelProto m = test::make_model();
  onnx::GraphProto& g = *m.mutable_graph();
  test::set_tensor_type(g.add_input(), "x", onnx::TensorProto::FLOAT, {1});
  test::add_node(g, "Add", {"x", "c"}, {"a"}, "first");
  test::add_node(g, "Relu", {"a"}, {"b"}, "second");
  test::add_node(g, "Neg", {"b"}, {"c"}, "third");
  test::set_tensor_type(g.add_output(), "c", onnx::TensorProto::FLOAT, {1});
  std::string msg = error_for(m);
  EXPECT_TRUE(test::contains(msg, "has a cycle"));
  EXPECT_TRUE(test::contains(msg, "'first' (Add)"));
  EXPECT_TRUE(test::contains(msg, "'third' (Neg)"));
}

TEST_F(OnnxImportErrors, NodeReadingItsOwnOutput) {
  onnx::ModelProto m = test::make_model();
  onnx::GraphProto& g = *m.mutable_graph();
  test::add_node(g, "Neg", {"y"}, {"y"}, "self");
  test::set_tensor_type(g.add_output(), "y", onnx::TensorProto::FLOAT, {1});
  EXPECT_TRUE(test::contains(error_for(m), "has a cycle: node 'self' (Neg) -> node 'self' (Neg)"));
}

TEST_F(OnnxImportErrors, DanglingEdge) {
  onnx::ModelProto m = test::relu_model();
  test::add_node(*m.mutable_graph(), "Add", {"y", "ghost"}, {"z"}, "adder");
  std::string msg = error_for(m);
  EXPECT_TRUE(test::contains(msg, "dangling edge"));
  EXPECT_TRUE(test::contains(msg, "'ghost'"));
  EXPECT_TRUE(test::contains(msg, "'adder' (Add)"));
}

TEST_F(OnnxImportErrors, DanglingEdgeInSubgraph) {
  onnx::ModelProto m = test::relu_model();
  onnx::GraphProto& g = *m.mutable_graph();
  onnx::NodeProto* n = test::add_node(g, "If", {"cond"}, {"r"}, "branch");
  test::set_tensor_type(g.add_input(), "cond", onnx::TensorProto::BOOL, {});
  for (const char* name : {"then_branch", "else_branch"}) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::GRAPH);
    test::add_node(*a->mutable_g(), "Neg", {"nowhere"}, {"o"}, "inner");
    test::set_tensor_type(a->mutable_g()->add_output(), "o", onnx::TensorProto::FLOAT, {2, 3});
  }
  std::string msg = error_for(m);
  EXPECT_TRUE(test::contains(msg, "attribute 'then_branch' of node 'branch' (If)"));
  EXPECT_TRUE(test::contains(msg, "dangling edge: node 'inner' (Neg) reads 'nowhere'"));
}

TEST_F(OnnxImportErrors, UndefinedGraphOutput) {
  onnx::ModelProto m = test::relu_model();
  test::set_tensor_type(m.mutable_graph()->add_output(), "phantom", onnx::TensorProto::FLOAT, {1});
  EXPECT_TRUE(test::contains(error_for(m), "graph output 'phantom' is never defined"));
}

TEST_F(OnnxImportErrors, DuplicateValueNames) {
  onnx::ModelProto two_producers = test::relu_model();
  test::add_node(*two_producers.mutable_graph(), "Neg", {"x"}, {"y"}, "again");
  EXPECT_TRUE(test::contains(error_for(two_producers), "duplicate value name 'y': produced by both node 'relu' (Relu) and node 'again' (Neg)"));

  onnx::ModelProto output_is_input = test::relu_model();
  test::add_node(*output_is_input.mutable_graph(), "Neg", {"y"}, {"x"}, "shadow");
  EXPECT_TRUE(test::contains(error_for(output_is_input), "duplicate value name 'x'"));

  onnx::ModelProto two_initializers = test::relu_model();
  test::add_float_initializer(*two_initializers.mutable_graph(), "w", {1}, {1});
  test::add_float_initializer(*two_initializers.mutable_graph(), "w", {1}, {2});
  EXPECT_TRUE(test::contains(error_for(two_initializers), "duplicate initializer 'w'"));

  onnx::ModelProto two_inputs = test::relu_model();
  test::set_tensor_type(two_inputs.mutable_graph()->add_input(), "x", onnx::TensorProto::FLOAT, {1});
  EXPECT_TRUE(test::contains(error_for(two_inputs), "duplicate graph input 'x'"));
}

TEST_F(OnnxImportErrors, UnnamedValues) {
  onnx::ModelProto m = test::relu_model();
  m.mutable_graph()->add_input();
  EXPECT_TRUE(test::contains(error_for(m), "graph input #1 has no name"));
  onnx::ModelProto n = with_initializer({4}, [](onnx::TensorProto& t) { t.clear_name(); });
  EXPECT_TRUE(test::contains(error_for(n), "initializer #0 has no name"));
}

TEST_F(OnnxImportErrors, NegativeDims) {
  std::string msg = error_for(with_initializer({-2, -2}, [](onnx::TensorProto&) {}));
  EXPECT_TRUE(test::contains(msg, "initializer 'w': negative dimension in dims [-2,-2]"));
}

TEST_F(OnnxImportErrors, OverflowingDims) {
  int64_t big = int64_t{1} << 40;
  std::string msg = error_for(with_initializer({big, big}, [](onnx::TensorProto&) {}));
  EXPECT_TRUE(test::contains(msg, "initializer 'w': dims [1099511627776,1099511627776] overflow"));
  // Fits int64 elements, but not bytes.
  msg = error_for(with_initializer({int64_t{1} << 61}, [](onnx::TensorProto&) {}));
  EXPECT_TRUE(test::contains(msg, "overflow the byte size"));
}

TEST_F(OnnxImportErrors, DataSizeMismatch) {
  std::string msg = error_for(with_initializer({3}, [](onnx::TensorProto&) {}));
  EXPECT_TRUE(test::contains(msg, "initializer 'w': raw_data is 16 bytes but float dims [3] need 12"));
  msg = error_for(with_initializer({1000000000}, [](onnx::TensorProto&) {}));
  EXPECT_TRUE(test::contains(msg, "need 4000000000"));
  msg = error_for(with_initializer({2, 2}, [](onnx::TensorProto& t) {
    t.clear_raw_data();
    t.add_float_data(1);
  }));
  EXPECT_TRUE(test::contains(msg, "initializer 'w': float_data holds 1 values but float dims [2,2] need 4"));
  msg = error_for(with_initializer({2}, [](onnx::TensorProto& t) { t.clear_raw_data(); }));
  EXPECT_TRUE(test::contains(msg, "float_data holds 0 values"));
}

TEST_F(OnnxImportErrors, BadElementTypes) {
  for (int code : {0, -1, 99}) {
    std::string msg = error_for(with_initializer({4}, [&](onnx::TensorProto& t) { t.set_data_type(code); }));
    EXPECT_TRUE(test::contains(msg, std::string("initializer 'w': unknown element type ") + std::to_string(code)));
  }
}

TEST_F(OnnxImportErrors, StringTensorWithRawData) {
  std::string msg = error_for(with_initializer({4}, [](onnx::TensorProto& t) { t.set_data_type(onnx::TensorProto::STRING); }));
  EXPECT_TRUE(test::contains(msg, "a string tensor must keep its elements in string_data"));
}

// An initializer "w" of 4 floats stored in external data with these entries.
onnx::ModelProto external_model(const std::vector<std::pair<std::string, std::string>>& entries) {
  onnx::ModelProto m = test::relu_model();
  onnx::TensorProto* t = m.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto& [k, v] : entries) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  return m;
}

TEST_F(OnnxImportErrors, MissingExternalDataFile) {
  std::string msg = error_for(external_model({{"location", "weights.bin"}}));
  EXPECT_TRUE(test::contains(msg, "initializer 'w': external data file"));
  EXPECT_TRUE(test::contains(msg, "weights.bin: no such file"));
}

TEST_F(OnnxImportErrors, ExternalDataOutOfRange) {
  test::write_file(dir_.file("weights.bin"), std::string(20, '\0'));
  std::string msg = error_for(external_model({{"location", "weights.bin"}, {"offset", "8"}, {"length", "16"}}));
  EXPECT_TRUE(test::contains(msg, "initializer 'w': external data out of range: offset 8 + length 16 is past the end of 'weights.bin' (20 bytes)"));
  msg = error_for(external_model({{"location", "weights.bin"}, {"offset", "64"}}));
  EXPECT_TRUE(test::contains(msg, "offset 64 is past the end"));
  msg = error_for(external_model({{"location", "weights.bin"}, {"offset", "-4"}}));
  EXPECT_TRUE(test::contains(msg, "external data offset '-4' is not a non-negative integer"));
  msg = error_for(external_model({{"location", "weights.bin"}, {"length", "12"}}));
  EXPECT_TRUE(test::contains(msg, "external data is 12 bytes but float dims [4] need 16"));
}

TEST_F(OnnxImportErrors, ExternalDataEscapingTheFolder) {
  EXPECT_TRUE(test::contains(error_for(external_model({{"location", "../weights.bin"}})), "escapes the model's folder"));
  EXPECT_TRUE(test::contains(error_for(external_model({{"location", "sub/../../weights.bin"}})), "escapes the model's folder"));
  EXPECT_TRUE(test::contains(error_for(external_model({{"location", "/etc/passwd"}})), "is an absolute path"));
  EXPECT_TRUE(test::contains(error_for(external_model({})), "external data has no location"));
}

TEST_F(OnnxImportErrors, ExternalDataFromBytesHasNoFolder) {
  onnx::ModelProto m = external_model({{"location", "weights.bin"}});
  std::string bytes = m.SerializeAsString();
  try {
    load_model_from_bytes(bytes.data(), bytes.size(), "memory.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(test::contains(std::string(e.what()), "memory.onnx: initializer 'w': data is in external file 'weights.bin'"));
  }
}

TEST_F(OnnxImportErrors, DeeplyNestedSubgraphs) {
  // Each level nests graph -> node -> attribute -> graph; protobuf's recursion limit stops the
  // parse long before the importer's own recursion could matter.
  onnx::ModelProto m = test::make_model();
  onnx::GraphProto* g = m.mutable_graph();
  for (int level = 0; level < 200; ++level) {
    onnx::NodeProto* n = test::add_node(*g, "If", {"c"}, {std::string("r") + std::to_string(level)});
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name("then_branch");
    a->set_type(onnx::AttributeProto::GRAPH);
    g = a->mutable_g();
  }
  EXPECT_TRUE(test::contains(error_for(m), "parse failed"));
}

}  // namespace
}  // namespace kiln
