#include "core/profile/memory.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/builder/model_builder.h"
#include "core/builder/sample_models.h"
#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"

namespace kiln::profile {
namespace {

TEST(ProfileMemory, WeightsByDtype) {
  ModelBuilder b;
  Value* x = b.input("x", DataType::Float32, std::vector<int64_t>{2, 3});
  Value* w = b.random_init("w", {3, 4});
  Value* bias = b.init("bias", DataType::Float16, {4}, {0, 1, 2, 3});
  Value* shape = b.init_i64("shape", {2}, {4, 2});
  Value* y = b.op("Add", {b.op("MatMul", {x, w}), b.op("Cast", {bias}, {attr::i("to", 1)})});
  b.output(b.op("Reshape", {y, shape}));
  Model m = b.take();
  auto w_by = weights_by_dtype(m);
  ASSERT_EQ(w_by.size(), 3u);
  EXPECT_EQ(w_by["f32"].bytes, 3 * 4 * 4);
  EXPECT_EQ(w_by["f32"].elements, 12);
  EXPECT_EQ(w_by["f16"].bytes, 4 * 2);
  EXPECT_EQ(w_by["i64"].bytes, 2 * 8);
  EXPECT_EQ(w_by["i64"].count, 1);
}

TEST(ProfileMemory, ReportHasThePlanAndTheFileSize) {
  const std::string path = (std::filesystem::temp_directory_path() / "kiln_memory_test.onnx").string();
  save_model(make_resnet_mini(), path);
  Model m = load_model(path);
  SessionOptions so;
  so.input_shapes["input"] = {1, 3, 64, 64};
  Session s(m, so);
  MemoryReport r = memory_report(m, s);
  EXPECT_EQ(r.file_bytes, static_cast<int64_t>(std::filesystem::file_size(path)));
  ASSERT_NE(s.plan(), nullptr);
  EXPECT_EQ(r.peak_activation_bytes, static_cast<int64_t>(s.plan()->peak_bytes));
  EXPECT_GE(r.peak_activation_bytes, r.live_peak_bytes);
  EXPECT_GT(r.weights_bytes, 43000 * 4 - 1);  // 43,706 parameters, mostly f32
  std::filesystem::remove(path);

  Model in_memory = make_resnet_mini();  // no file: the serialized size is reported instead
  Session s2(in_memory, so);
  MemoryReport r2 = memory_report(in_memory, s2);
  EXPECT_EQ(r2.file_bytes, static_cast<int64_t>(serialize_model(in_memory).size()));
  EXPECT_NE(r2.file_bytes_how.find("serialized"), std::string::npos);
}

TEST(ProfileMemory, PeakRssIsReadable) {
  const int64_t before = peak_rss_bytes();
  EXPECT_GT(before, 0);
  std::vector<char> big(64 << 20, 1);  // touch 64 MiB
  volatile char sink = big[big.size() / 2];
  (void)sink;
  EXPECT_GE(peak_rss_bytes(), before + (60 << 20));
}

}  // namespace
}  // namespace kiln::profile
