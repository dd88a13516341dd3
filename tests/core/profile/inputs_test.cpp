#include "core/profile/inputs.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/builder/model_builder.h"
#include "core/runtime/tensor_io.h"
#include "core/util/error.h"

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

Model two_inputs() {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<Dim>{Dim::symbolic("batch"), Dim::known(4)});
  Value* y = b.input("y", DataType::Float32, std::vector<Dim>{Dim::known(3), Dim::symbolic("n")});
  b.output(b.op("ReduceSum", {x}));
  b.output(b.op("ReduceSum", {y}));
  return b.take();
}

TEST(ProfileInputs, ShapesFillUnknownDimsAndApplyTheBatch) {
  Model m = two_inputs();
  EXPECT_EQ(batchable_inputs(*m.graph), std::vector<std::string>{"x"});
  ResolvedShapes r = resolve_input_shapes(*m.graph, {});
  EXPECT_EQ(r.shapes["x"], (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(r.shapes["y"], (std::vector<int64_t>{3, 1}));
  ASSERT_EQ(r.assumed.size(), 2u);
  EXPECT_NE(r.assumed[0].find("batch"), std::string::npos);
  ResolvedShapes b8 = resolve_input_shapes(*m.graph, {{"y", {3, 7}}}, 8);
  EXPECT_EQ(b8.shapes["x"], (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(b8.shapes["y"], (std::vector<int64_t>{3, 7}));  // y's dim 0 is fixed at 3: not batched
  EXPECT_TRUE(b8.assumed.empty());
  EXPECT_THROW(resolve_input_shapes(*m.graph, {{"z", {1}}}), Error);
}

TEST(ProfileInputs, FolderOfTestDataSets) {
  Model m = two_inputs();
  fs::path dir = fs::temp_directory_path() / "kiln_inputs_test";
  fs::remove_all(dir);
  for (int k = 0; k < 2; ++k) {
    fs::path set = dir / ("test_data_set_" + std::to_string(k));
    fs::create_directories(set);
    Sample s = random_sample(*m.graph, {{"x", {2, 4}}, {"y", {3, 5}}}, static_cast<uint64_t>(k));
    write_tensor_pb(*s.at("x").to_tensor("x"), (set / "input_0.pb").string());
    write_npy(*s.at("y").to_tensor("y"), (set / "y.npy").string());
  }
  std::vector<Sample> samples = load_input_samples(*m.graph, dir.string());
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].at("y").shape(), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(sample_shapes(samples[0]).at("x"), (std::vector<int64_t>{2, 4}));
  fs::remove(dir / "test_data_set_1" / "y.npy");
  try {
    load_input_samples(*m.graph, dir.string());
    FAIL() << "a missing input file must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'y'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kiln::profile
