// kiln::Model -> ONNX: external data, atomic writes, what goes in inputs and value_info.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_format.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"
#include "tests/core/onnx/onnx_test_util.h"

namespace kiln {
namespace {

std::vector<float> ramp(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

// x[4,256] -> MatMul(w1) -> Add(b) -> MatMul(w2) -> y, with weights of 4 KiB, 1 KiB and 64 B.
Model weighted_model() {
  onnx::ModelProto m = test::make_model();
  onnx::GraphProto& g = *m.mutable_graph();
  test::set_tensor_type(g.add_input(), "x", onnx::TensorProto::FLOAT, {4, 256});
  test::add_float_initializer(g, "w1", {256, 4}, ramp(1024, 0));
  test::add_float_initializer(g, "w2", {4, 64}, ramp(256, 1000));
  test::add_float_initializer(g, "b", {16}, ramp(16, -8));
  test::add_node(g, "MatMul", {"x", "w1"}, {"h"});
  test::add_node(g, "Add", {"h", "b4"}, {"h2"});
  test::add_node(g, "MatMul", {"h2", "w2"}, {"y"});
  onnx::TensorProto* b4 = g.add_initializer();
  b4->set_name("b4");
  b4->set_data_type(onnx::TensorProto::FLOAT);
  b4->add_dims(4);
  for (float v : {1.f, 2.f, 3.f, 4.f}) b4->add_float_data(v);
  test::set_tensor_type(g.add_output(), "y", onnx::TensorProto::FLOAT, {4, 64});
  return test::import_proto(m);
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.byte_size() == b.byte_size() && std::equal(a.raw(), a.raw() + a.byte_size(), b.raw());
}

bool python_onnx_available() { return std::system("python3 -c 'import onnx, numpy' >/dev/null 2>&1") == 0; }

TEST(OnnxExport, EmbeddedByDefault) {
  test::TempDir dir;
  Model m = weighted_model();
  save_model(m, dir.file("m.onnx"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.onnx.data")));
  Model back = load_model(dir.file("m.onnx"));
  EXPECT_EQ(test::diff_models(m, back), "");
  EXPECT_EQ(back.source_path, dir.file("m.onnx"));
  EXPECT_EQ(test::read_file(dir.file("m.onnx")), serialize_model(m));
}

TEST(OnnxExport, ExternalDataAlways) {
  test::TempDir dir;
  Model m = weighted_model();
  ExportOptions options;
  options.external_data = ExportOptions::ExternalData::Always;
  options.external_min_bytes = 1024;
  save_model(m, dir.file("m.onnx"), options);
  ASSERT_TRUE(std::filesystem::exists(dir.file("m.onnx.data")));

  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(test::read_file(dir.file("m.onnx"))));
  int external = 0;
  for (const onnx::TensorProto& t : proto.graph().initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) {
      EXPECT_TRUE(t.name() == "b" || t.name() == "b4") << t.name();
      continue;
    }
    ++external;
    std::map<std::string, std::string> kv;
    for (const auto& e : t.external_data()) kv[e.key()] = e.value();
    EXPECT_EQ(kv["location"], "m.onnx.data");
    EXPECT_EQ(std::stoll(kv["offset"]) % 64, 0) << t.name();
    EXPECT_FALSE(kv["length"].empty());
  }
  EXPECT_EQ(external, 2);

  Model back = load_model(dir.file("m.onnx"));
  for (const char* name : {"w1", "w2", "b", "b4"}) {
    const Tensor& a = *m.graph->find_value(name)->initializer();
    const Tensor& b = *back.graph->find_value(name)->initializer();
    EXPECT_TRUE(same_bytes(a, b)) << name;
  }
  const Tensor& w1 = *back.graph->find_value("w1")->initializer();
  EXPECT_TRUE(w1.data->is_view());
  ASSERT_NE(w1.external, nullptr);
  EXPECT_EQ(w1.external->location, "m.onnx.data");
  EXPECT_FALSE(back.graph->find_value("b")->initializer()->data->is_view());

  // Exported without external data, the mapped weights are embedded.
  std::string embedded = serialize_model(back);
  Model from_bytes = load_model_from_bytes(embedded.data(), embedded.size(), "embedded");
  EXPECT_TRUE(same_bytes(w1, *from_bytes.graph->find_value("w1")->initializer()));
  EXPECT_FALSE(from_bytes.graph->find_value("w1")->initializer()->data->is_view());

  // Saving over the files the weights are mapped from is safe: the new files replace the old.
  ExportOptions all;
  all.external_data = ExportOptions::ExternalData::Always;
  all.external_min_bytes = 0;
  save_model(back, dir.file("m.onnx"), all);
  Model again = load_model(dir.file("m.onnx"));
  for (const char* name : {"w1", "w2", "b", "b4"})
    EXPECT_TRUE(same_bytes(*m.graph->find_value(name)->initializer(), *again.graph->find_value(name)->initializer()))
        << name;
  EXPECT_TRUE(again.graph->find_value("b")->initializer()->data->is_view());
}

TEST(OnnxExport, ExternalDataFileNameAndAuto) {
  test::TempDir dir;
  Model m = weighted_model();
  ExportOptions options;
  options.external_data = ExportOptions::ExternalData::Always;
  options.external_file = "weights.bin";
  options.external_min_bytes = 0;
  save_model(m, dir.file("m.onnx"), options);
  EXPECT_TRUE(std::filesystem::exists(dir.file("weights.bin")));
  EXPECT_EQ(test::diff_models(m, load_model(dir.file("m.onnx"))), "");

  options.external_file = "../outside.bin";
  try {
    save_model(m, dir.file("bad.onnx"), options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(test::contains(e.what(), dir.file("bad.onnx") + ": external data file: external data location '../outside.bin' escapes"));
  }

  // Auto keeps a small model in one file.
  ExportOptions automatic;
  save_model(m, dir.file("auto.onnx"), automatic);
  EXPECT_FALSE(std::filesystem::exists(dir.file("auto.onnx.data")));
}

TEST(OnnxExport, FailedExportKeepsTheOldFile) {
  test::TempDir dir;
  test::write_file(dir.file("m.onnx"), "previous contents");
  Model m = weighted_model();
  // A weight whose bytes do not match its dims cannot be written.
  m.graph->add_initializer(Tensor::make("broken", DataType::Float32, {8}, std::vector<uint8_t>(3)));
  try {
    save_model(m, dir.file("m.onnx"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(test::contains(e.what(), dir.file("m.onnx") + ": initializer 'broken': holds 3 bytes but float dims [8] need 32"));
  }
  EXPECT_EQ(test::read_file(dir.file("m.onnx")), "previous contents");
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u) << "a temporary file was left behind";
}

TEST(OnnxExport, UnwritableFolder) {
  Model m = weighted_model();
  try {
    save_model(m, "/nonexistent-kiln-dir/m.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(test::contains(e.what(), "/nonexistent-kiln-dir/m.onnx: cannot create a file next to it"));
  }
}

TEST(OnnxExport, KeepsFilePermissions) {
  test::TempDir dir;
  test::write_file(dir.file("m.onnx"), "x");
  ::chmod(dir.file("m.onnx").c_str(), 0640);
  save_model(weighted_model(), dir.file("m.onnx"));
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("m.onnx").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(OnnxExport, InputsAndValueInfo) {
  Model m = weighted_model();
  // A type found for an intermediate value (e.g. by shape inference) goes to value_info.
  m.graph->find_value("h")->type = ValueType::tensor(DataType::Float32, Shape::of({4, 4}));
  onnx::ModelProto p;
  ASSERT_TRUE(p.ParseFromString(serialize_model(m)));
  ASSERT_EQ(p.graph().input_size(), 1);  // ir_version 8: initializers are not inputs
  ASSERT_EQ(p.graph().value_info_size(), 1);
  EXPECT_EQ(p.graph().value_info(0).name(), "h");
  EXPECT_EQ(p.graph().value_info(0).type().tensor_type().shape().dim(1).dim_value(), 4);

  // Before IR 4, every initializer is listed as an input too.
  m.ir_version = 3;
  ASSERT_TRUE(p.ParseFromString(serialize_model(m)));
  std::vector<std::string> inputs;
  for (const auto& vi : p.graph().input()) inputs.push_back(vi.name());
  EXPECT_EQ(inputs, (std::vector<std::string>{"x", "w1", "w2", "b", "b4"}));
  EXPECT_EQ(p.graph().input(1).type().tensor_type().shape().dim(0).dim_value(), 256);
}

// Before IR 4 an initializer's declaration is written once, in its input entry: a value_info
// entry as well would be dropped on reading (inputs win), and the next export would differ. (A
// fuzzer found this with a model whose initializer had a value_info entry instead of an input.)
TEST(OnnxExport, OldIrInitializerDeclarationRoundTripsExactly) {
  Model m = weighted_model();
  m.ir_version = 3;
  Value* w1 = m.graph->find_value("w1");
  w1->has_value_info = true;
  w1->doc_string = "first weights";
  onnx::ModelProto p;
  const std::string first = serialize_model(m);
  ASSERT_TRUE(p.ParseFromString(first));
  for (const auto& vi : p.graph().value_info()) EXPECT_NE(vi.name(), "w1");
  bool declared = false;
  for (const auto& vi : p.graph().input())
    if (vi.name() == "w1") declared = vi.doc_string() == "first weights";
  EXPECT_TRUE(declared);
  Model again = load_model_from_bytes(first.data(), first.size(), "re-read");
  EXPECT_EQ(serialize_model(again), first);
}

TEST(OnnxExport, SerializeRefusesMissingGraph) {
  Model m;
  m.graph.reset();
  EXPECT_THROW(serialize_model(m), Error);
}

// ONNX's Python package writes the external data; Kiln reads it.
TEST(OnnxExport, ReadsExternalDataWrittenByPython) {
  if (!python_onnx_available()) GTEST_SKIP() << "python3 with onnx and numpy not available";
  test::TempDir dir;
  test::write_file(dir.file("make.py"), R"PY(
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
out = sys.argv[1]
w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(3, 4), "w")
b = numpy_helper.from_array(np.array([1, -2, 3], dtype=np.int64), "b")
h = numpy_helper.from_array(np.array([1.5, -0.25], dtype=np.float16), "h")
g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], [w, b, h])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.save_model(m, out, save_as_external_data=True, all_tensors_to_one_file=True,
                location="py.data", size_threshold=0)
)PY");
  std::string cmd = "python3 " + dir.file("make.py") + " " + dir.file("py.onnx");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Model m = load_model(dir.file("py.onnx"));
  const Tensor& w = *m.graph->find_value("w")->initializer();
  EXPECT_EQ(w.to_double(), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  ASSERT_NE(w.external, nullptr);
  EXPECT_EQ(w.external->location, "py.data");
  EXPECT_EQ(m.graph->find_value("b")->initializer()->to_int64(), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(m.graph->find_value("h")->initializer()->to_double(), (std::vector<double>{1.5, -0.25}));

  // And the other way: ONNX's Python package reads what Kiln writes, checker included.
  ExportOptions options;
  options.external_data = ExportOptions::ExternalData::Always;
  options.external_min_bytes = 0;
  save_model(m, dir.file("kiln.onnx"), options);
  test::write_file(dir.file("check.py"), R"PY(
import sys, numpy as np, onnx
from onnx import numpy_helper
onnx.checker.check_model(sys.argv[1])
m = onnx.load(sys.argv[1])
w = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
assert (w["w"] == np.arange(12, dtype=np.float32).reshape(3, 4)).all()
assert list(w["b"]) == [1, -2, 3]
)PY");
  cmd = "python3 " + dir.file("check.py") + " " + dir.file("kiln.onnx");
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

// A rewritten model's provenance survives a file; a model as imported writes none.
TEST(OnnxExport, ProvenanceTravelsWithARewrittenModel) {
  Model m = weighted_model();
  const std::string plain = serialize_model(m);
  EXPECT_FALSE(is_rewritten(*m.graph));
  EXPECT_EQ(plain.find(onnx_io::kProvenanceKey), std::string::npos);

  // As a fusion leaves it: the last node stands for the first two as well.
  std::vector<Node*> nodes = m.graph->nodes();
  ASSERT_EQ(nodes.size(), 3u);
  const NodeId first = nodes[0]->id(), second = nodes[1]->id(), third = nodes[2]->id();
  nodes[2]->provenance = {first, second, third};
  ASSERT_TRUE(is_rewritten(*m.graph));
  const std::string bytes = serialize_model(m);
  Model back = load_model_from_bytes(bytes.data(), bytes.size(), "rewritten");
  std::vector<Node*> bn = back.graph->nodes();
  ASSERT_EQ(bn.size(), 3u);
  EXPECT_EQ(bn[0]->provenance, std::vector<NodeId>{first});
  EXPECT_EQ(bn[1]->provenance, std::vector<NodeId>{second});
  EXPECT_EQ(bn[2]->provenance, (std::vector<NodeId>{first, second, third}));
  for (const Node* n : bn) EXPECT_TRUE(n->metadata_props.empty()) << n->name;  // not left as metadata
  EXPECT_EQ(serialize_model(back), bytes);  // stable from here on
}

TEST(OnnxExport, MalformedProvenanceStaysMetadata) {
  onnx::ModelProto p = test::relu_model();
  onnx::NodeProto& n = *p.mutable_graph()->mutable_node(0);
  onnx::StringStringEntryProto e;
  e.set_key(onnx_io::kProvenanceKey);
  e.set_value("4,x");
  n.mutable_unknown_fields()->AddLengthDelimited(onnx_io::kNodeMetadataProps, e.SerializeAsString());
  Model m = test::import_proto(p, "malformed");
  const Node* first = m.graph->nodes()[0];
  EXPECT_EQ(first->provenance, std::vector<NodeId>{first->id()});
  ASSERT_EQ(first->metadata_props.size(), 1u);
  EXPECT_EQ(first->metadata_props[0].second, "4,x");
}

}  // namespace
}  // namespace kiln
