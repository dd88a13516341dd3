// Every model of ONNX's backend test data survives import -> export -> import unchanged, and the
// import keeps every node, attribute and weight byte the file has.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "tests/core/onnx/onnx_test_util.h"

namespace kiln {
namespace {

struct Counts {
  size_t nodes = 0;
  size_t attributes = 0;
  size_t initializer_bytes = 0;  // of the main graph
};

void count_graph(const onnx::GraphProto& g, Counts& c) {
  for (const onnx::NodeProto& n : g.node()) {
    ++c.nodes;
    c.attributes += static_cast<size_t>(n.attribute_size());
    for (const onnx::AttributeProto& a : n.attribute()) {
      if (a.has_g()) count_graph(a.g(), c);
      for (const onnx::GraphProto& sg : a.graphs()) count_graph(sg, c);
    }
  }
}

void count_graph(const Graph& g, Counts& c) {
  g.for_each_node([&](const Node* n) {
    ++c.nodes;
    c.attributes += n->attrs().size();
    for (const Graph* sg : n->subgraphs()) count_graph(*sg, c);
  });
}

size_t proto_tensor_bytes(const onnx::TensorProto& t) {
  if (t.has_raw_data()) return t.raw_data().size();
  auto dtype = static_cast<DataType>(t.data_type());
  int64_t numel = 1;
  for (int64_t d : t.dims()) numel *= d;
  return dtype == DataType::String ? 0 : static_cast<size_t>(dtype_storage_bytes(dtype, numel));
}

std::vector<std::filesystem::path> testdata_models() {
  std::vector<std::filesystem::path> out;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    std::filesystem::path dir = std::filesystem::path(KILN_ONNX_TESTDATA_DIR) / suite;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (std::filesystem::exists(entry.path() / "model.onnx")) out.push_back(entry.path() / "model.onnx");
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(OnnxRoundTrip, EveryTestDataModel) {
  auto models = testdata_models();
  if (models.empty()) GTEST_SKIP() << "no ONNX test data under " << KILN_ONNX_TESTDATA_DIR;
  for (const auto& path : models) {
    SCOPED_TRACE(path.string());
    onnx::ModelProto proto;
    {
      std::string bytes = test::read_file(path.string());
      ASSERT_TRUE(proto.ParseFromString(bytes));
    }
    Model first = load_model(path.string());
    std::string bytes = serialize_model(first);
    Model second = load_model_from_bytes(bytes.data(), bytes.size(), "re-exported " + path.string());
    EXPECT_EQ(test::diff_models(first, second), "");

    Counts want, got;
    count_graph(proto.graph(), want);
    count_graph(*first.graph, got);
    for (const onnx::TensorProto& t : proto.graph().initializer()) want.initializer_bytes += proto_tensor_bytes(t);
    for (const Value* v : first.graph->initializers()) got.initializer_bytes += v->initializer()->byte_size();
    EXPECT_EQ(got.nodes, want.nodes);
    EXPECT_EQ(got.attributes, want.attributes);
    EXPECT_EQ(got.initializer_bytes, want.initializer_bytes);
    EXPECT_EQ(first.graph->total_node_count(), want.nodes);

    // Exporting again gives the same bytes: the writer is deterministic.
    EXPECT_EQ(serialize_model(second), bytes);
  }
}

}  // namespace
}  // namespace kiln
