#include "core/profile/image_inputs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/builder/model_builder.h"
#include "core/util/error.h"

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

fs::path write_file(const std::string& name, const std::string& bytes) {
  fs::path p = fs::temp_directory_path() / "kiln_image_test" / name;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

TEST(ProfileImages, ReadsBinaryAndAsciiPnm) {
  // 2x1 RGB: red, then (0, 51, 255).
  std::string p6 = "P6\n# a comment\n2 1\n255\n";
  p6 += std::string("\xff\x00\x00\x00\x33\xff", 6);
  Image rgb = read_image(write_file("a.ppm", p6).string());
  ASSERT_EQ(rgb.width, 2);
  ASSERT_EQ(rgb.height, 1);
  ASSERT_EQ(rgb.channels, 3);
  EXPECT_FLOAT_EQ(rgb.pixels[0], 1.0f);
  EXPECT_FLOAT_EQ(rgb.pixels[4], 0.2f);
  Image gray = read_image(write_file("b.pgm", "P2 2 2 10\n0 5\n10 5\n").string());
  ASSERT_EQ(gray.channels, 1);
  EXPECT_FLOAT_EQ(gray.pixels[1], 0.5f);
  EXPECT_FLOAT_EQ(gray.pixels[2], 1.0f);
}

TEST(ProfileImages, RefusesWhatItCannotRead) {
  try {
    read_image(write_file("c.ppm", "P6\n2 2\n255\n\x01").string());
    FAIL() << "a truncated image must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  try {
    read_image(write_file("d.png", "\x89PNG").string());
    FAIL() << "PNG must be refused with the reason";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("PPM"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_image(write_file("e.ppm", "P9 1 1 255\n").string()), Error);
}

TEST(ProfileImages, BilinearResizeAveragesNeighbours) {
  Image img;
  img.width = 2;
  img.height = 1;
  img.channels = 1;
  img.pixels = {0.0f, 1.0f};
  Image up = resize_bilinear(img, 4, 1);
  // Half-pixel centers: x = 0.25, 0.75, 1.25, 1.75 in source pixels -> clamp, 0.25, 0.75, clamp.
  ASSERT_EQ(up.pixels.size(), 4u);
  EXPECT_FLOAT_EQ(up.pixels[0], 0.0f);
  EXPECT_FLOAT_EQ(up.pixels[1], 0.25f);
  EXPECT_FLOAT_EQ(up.pixels[2], 0.75f);
  EXPECT_FLOAT_EQ(up.pixels[3], 1.0f);
}

TEST(ProfileImages, NormalizesAndLaysOutForTheModelInput) {
  ModelBuilder b;
  Value* x = b.input("image", DataType::Float32, std::vector<int64_t>{1, 3, 1, 2});
  b.output(b.op("Relu", {x}));
  Model nchw = b.take();
  std::string p6 = "P6 2 1 255\n";
  p6 += std::string("\xff\x00\x00\x00\x33\xff", 6);
  Image img = read_image(write_file("f.ppm", p6).string());
  ImagePreprocess pp;
  pp.mean = {0.5f, 0.5f, 0.5f};
  pp.std = {0.5f, 0.25f, 0.5f};
  RtTensor t = image_to_tensor(img, *nchw.graph->inputs()[0], pp);
  ASSERT_EQ(t.shape(), (std::vector<int64_t>{1, 3, 1, 2}));
  const float* v = t.data<float>();
  // Channel-major: R of both pixels, then G, then B. (p - mean) / std.
  EXPECT_FLOAT_EQ(v[0], 1.0f);    // R=1:   (1 - .5) / .5
  EXPECT_FLOAT_EQ(v[1], -1.0f);   // R=0
  EXPECT_FLOAT_EQ(v[2], -2.0f);   // G=0:   (0 - .5) / .25
  EXPECT_FLOAT_EQ(v[3], -1.2f);   // G=.2:  (.2 - .5) / .25
  EXPECT_FLOAT_EQ(v[5], 1.0f);    // B=1

  pp.layout = ImageLayout::NHWC;
  ModelBuilder b2;
  Value* x2 = b2.input("image", DataType::Float32, std::vector<int64_t>{1, 1, 2, 3});
  b2.output(b2.op("Relu", {x2}));
  Model nhwc = b2.take();
  RtTensor t2 = image_to_tensor(img, *nhwc.graph->inputs()[0], pp);
  ASSERT_EQ(t2.shape(), (std::vector<int64_t>{1, 1, 2, 3}));
  EXPECT_FLOAT_EQ(t2.data<float>()[0], 1.0f);   // pixel 0 R
  EXPECT_FLOAT_EQ(t2.data<float>()[1], -2.0f);  // pixel 0 G
  EXPECT_FLOAT_EQ(t2.data<float>()[4], -1.2f);  // pixel 1 G
}

TEST(ProfileImages, FolderBecomesOneSamplePerImage) {
  fs::path dir = fs::temp_directory_path() / "kiln_image_folder_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "1.pgm", std::ios::binary) << "P2 1 1 255\n255\n";
  std::ofstream(dir / "2.pgm", std::ios::binary) << "P2 1 1 255\n0\n";
  ModelBuilder b;
  Value* x = b.input("image", DataType::Float32, std::vector<int64_t>{1, 3, 4, 4});
  b.output(b.op("Relu", {x}));
  Model m = b.take();
  auto samples = load_image_samples(*m.graph, dir.string(), {});
  ASSERT_EQ(samples.size(), 2u);
  const RtTensor& first = samples[0].at("image");
  EXPECT_EQ(first.shape(), (std::vector<int64_t>{1, 3, 4, 4}));
  EXPECT_FLOAT_EQ(first.data<float>()[47], 1.0f);          // gray replicated into every channel, resized
  EXPECT_FLOAT_EQ(samples[1].at("image").data<float>()[0], 0.0f);
  fs::remove_all(dir);
  EXPECT_THROW(load_image_samples(*m.graph, dir.string(), {}), Error);
}

}  // namespace
}  // namespace kiln::profile
