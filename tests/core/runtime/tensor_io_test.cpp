#include "core/runtime/tensor_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <cstring>
#include <fstream>

#include <unistd.h>

#include "core/util/error.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("kiln_tensor_io_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string error_of(const std::string& path) {
  try {
    read_tensor_file(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TensorIo, NpyRoundTripForEveryType) {
  fs::path dir = temp_dir();
  for (DataType dt : {DataType::Float32, DataType::Float64, DataType::Float16, DataType::Int8, DataType::Int16,
                      DataType::Int32, DataType::Int64, DataType::UInt8, DataType::UInt16, DataType::UInt32,
                      DataType::UInt64, DataType::Bool}) {
    size_t es = static_cast<size_t>(dtype_bits(dt) / 8);
    std::vector<uint8_t> bytes(6 * es);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = dt == DataType::Bool ? (i & 1) : static_cast<uint8_t>(i * 7);
    auto t = Tensor::make("t", dt, {2, 3}, bytes);
    fs::path p = dir / ("t_" + std::string(dtype_short_name(dt)) + ".npy");
    write_npy(*t, p.string());
    Tensor back = read_tensor_file(p.string());
    EXPECT_EQ(back.dtype, dt);
    EXPECT_EQ(back.dims, (std::vector<int64_t>{2, 3}));
    ASSERT_EQ(back.byte_size(), bytes.size());
    EXPECT_EQ(std::memcmp(back.raw(), bytes.data(), bytes.size()), 0);
  }
  fs::remove_all(dir);
}

TEST(TensorIo, NpyScalarAndVersion2Header) {
  fs::path dir = temp_dir();
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
  header.append(64 - (12 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x02\x00", 8);
  uint32_t len = static_cast<uint32_t>(header.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  file += header;
  int64_t v = -42;
  file.append(reinterpret_cast<const char*>(&v), 8);
  write_bytes(dir / "s.npy", file);
  Tensor t = read_tensor_file((dir / "s.npy").string());
  EXPECT_TRUE(t.dims.empty());
  EXPECT_EQ(t.values<int64_t>()[0], -42);
  fs::remove_all(dir);
}

TEST(TensorIo, PbRoundTripKeepsTheName) {
  fs::path dir = temp_dir();
  auto t = Tensor::from_values<float>("logits", DataType::Float32, {2}, {1.5f, -2.f});
  write_tensor_pb(*t, (dir / "output_0.pb").string());
  Tensor back = read_tensor_file((dir / "output_0.pb").string());
  EXPECT_EQ(back.name, "logits");
  EXPECT_EQ(back.values<float>()[1], -2.f);
  fs::remove_all(dir);
}

TEST(TensorIo, ReadsOnnxTestData) {
  fs::path p = fs::path(KILN_ONNX_TESTDATA_DIR) / "node" / "test_abs" / "test_data_set_0" / "input_0.pb";
  if (!fs::exists(p)) GTEST_SKIP() << p << " not installed";
  Tensor t = read_tensor_file(p.string());
  EXPECT_EQ(t.dtype, DataType::Float32);
  EXPECT_EQ(t.dims, (std::vector<int64_t>{3, 4, 5}));
}

TEST(TensorIo, BadFilesNameTheFile) {
  fs::path dir = temp_dir();
  std::string missing = (dir / "nope.pb").string();
  EXPECT_EQ(error_of(missing), missing + ": no such file");
  write_bytes(dir / "bad.npy", "hello world, not numpy");
  EXPECT_NE(error_of((dir / "bad.npy").string()).find("bad.npy: not a .npy file"), std::string::npos);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }\n";
  write_bytes(dir / "short.npy", std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header + "abcd");
  EXPECT_NE(error_of((dir / "short.npy").string()).find("short.npy: .npy data is shorter"), std::string::npos);
  std::string cheader = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n";
  write_bytes(dir / "complex.npy", std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(cheader.size()) + '\0' + cheader + "abcdefgh");
  EXPECT_NE(error_of((dir / "complex.npy").string()).find("unsupported .npy dtype"), std::string::npos);
  write_bytes(dir / "junk.pb", std::string("\xff\xff\xff\xff\xff", 5));
  EXPECT_NE(error_of((dir / "junk.pb").string()).find("junk.pb"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kiln
