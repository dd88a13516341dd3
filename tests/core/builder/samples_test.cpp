#include "core/builder/sample_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/ir/text_format.h"
#include "core/onnx/onnx_import.h"

namespace kiln {
namespace {

std::map<std::string, int> op_counts(const Model& m) {
  std::map<std::string, int> c;
  m.graph->for_each_node([&](const Node* n) { ++c[n->op_type]; });
  return c;
}

int64_t parameter_count(const Model& m) {
  int64_t n = 0;
  for (const Value* v : m.graph->initializers()) n += v->initializer()->numel();
  return n;
}

void expect_valid(const Model& m) {
  auto problems = m.graph->verify();
  EXPECT_TRUE(problems.empty()) << problems.front();
  // Every node carries an exporter-style name, every graph output a type.
  m.graph->for_each_node([&](const Node* n) { EXPECT_EQ(n->name.rfind('/', 0), 0u) << n->op_type; });
  for (const Value* o : m.graph->outputs()) EXPECT_TRUE(o->type.is_tensor()) << o->name();
}

TEST(Samples, ResNetMini) {
  Model m = make_resnet_mini();
  expect_valid(m);
  EXPECT_EQ(m.opset(""), 17);
  EXPECT_EQ(op_counts(m), (std::map<std::string, int>{{"Add", 8},
                                                     {"BatchNormalization", 10},
                                                     {"Clip", 4},
                                                     {"Constant", 16},
                                                     {"Conv", 10},
                                                     {"Div", 4},
                                                     {"Flatten", 1},
                                                     {"Gemm", 1},
                                                     {"GlobalAveragePool", 1},
                                                     {"MaxPool", 1},
                                                     {"Mul", 4},
                                                     {"Relu", 5}}));
  EXPECT_EQ(m.graph->node_count(), 65u);
  EXPECT_EQ(parameter_count(m), 43706);
  EXPECT_EQ(m.graph->inputs()[0]->type.str(), "f32[batch,3,64,64]");
  EXPECT_EQ(m.graph->outputs()[0]->name(), "logits");
  // The projection shortcut of layer2.0: a strided 1x1 Conv.
  const Value* ds = m.graph->find_value("/layer2/layer2.0/downsample/downsample.0/Conv_output_0");
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->producer()->attr_ints("strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ds->producer()->attr_ints("kernel_shape"), (std::vector<int64_t>{1, 1}));
  // Clip takes min/max as inputs (opset >= 11 style).
  m.graph->for_each_node([](const Node* n) {
    if (n->op_type == "Clip") {
      EXPECT_EQ(n->num_inputs(), 3u);
    }
  });
}

TEST(Samples, BertBlock) {
  Model m = make_bert_block();
  expect_valid(m);
  EXPECT_EQ(m.opset(""), 14);
  EXPECT_EQ(op_counts(m), (std::map<std::string, int>{{"Add", 14},
                                                     {"Concat", 4},
                                                     {"Constant", 31},
                                                     {"Div", 4},
                                                     {"Erf", 1},
                                                     {"Gather", 8},
                                                     {"MatMul", 8},
                                                     {"Mul", 4},
                                                     {"Pow", 2},
                                                     {"ReduceMean", 4},
                                                     {"Reshape", 4},
                                                     {"Shape", 8},
                                                     {"Softmax", 1},
                                                     {"Sqrt", 2},
                                                     {"Sub", 2},
                                                     {"Transpose", 4},
                                                     {"Unsqueeze", 8}}));
  EXPECT_EQ(m.graph->node_count(), 109u);
  EXPECT_EQ(parameter_count(m), 789760);
  EXPECT_EQ(m.graph->inputs()[0]->type.str(), "f32[batch,seq,256]");
  EXPECT_EQ(m.graph->inputs()[1]->type.str(), "f32[batch,1,1,seq]");
  EXPECT_EQ(m.graph->outputs()[0]->type.str(), "f32[batch,seq,256]");
}

TEST(Samples, MobileNetMini) {
  Model m = make_mobilenet_mini();
  expect_valid(m);
  auto c = op_counts(m);
  EXPECT_EQ(c["Conv"], 10);
  EXPECT_EQ(c["BatchNormalization"], 10);
  EXPECT_EQ(c["Clip"], 7);
  EXPECT_EQ(c["Add"], 1);
  EXPECT_EQ(m.graph->node_count(), 45u);
  EXPECT_EQ(parameter_count(m), 7370);
  int depthwise = 0;
  m.graph->for_each_node([&](const Node* n) { depthwise += n->op_type == "Conv" && n->attr_int("group", 1) > 1; });
  EXPECT_EQ(depthwise, 3);
}

TEST(Samples, PrintIsStableAcrossBuilds) {
  for (const SampleModel& s : sample_models()) {
    EXPECT_EQ(print_model(s.make(1)), print_model(s.make(1))) << s.name;
    EXPECT_NE(print_model(s.make(1)), print_model(s.make(2))) << s.name << ": the seed changes the weights";
  }
}

TEST(Samples, TextFormRoundTripsWithAllWeights) {
  PrintOptions o;
  o.max_inline_elements = 1 << 30;
  for (const SampleModel& s : sample_models()) {
    if (s.name == "bert_block") continue;  // 790k weights: covered by the smaller two
    std::string text = print_model(s.make(1), o);
    EXPECT_EQ(print_model(parse_model_text(text), o), text) << s.name;
  }
}

// The .onnx files generated at build time are what the builder makes, through export and import.
TEST(Samples, GeneratedFilesMatchTheBuilder) {
  const std::filesystem::path dir = KILN_SAMPLES_DIR;
  for (const SampleModel& s : sample_models()) {
    const auto path = dir / (std::string(s.name) + ".onnx");
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not generated (build target kiln_samples)";
    Model loaded = load_model(path.string());
    EXPECT_EQ(print_model(loaded), print_model(s.make(1)))
        << s.name << ": " << path << " is stale or export/import changed it (rebuild target kiln_samples)";
  }
}

}  // namespace
}  // namespace kiln
