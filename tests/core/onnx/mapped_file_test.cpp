// MappedFile, the read-only mapping external data is viewed through.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/ir/tensor.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "tests/core/onnx/onnx_test_util.h"

namespace kiln {
namespace {

TEST(MappedFile, MapsTheWholeFile) {
  test::TempDir dir;
  test::write_file(dir.file("data.bin"), "hello, mapping");
  auto file = MappedFile::open(dir.file("data.bin"));
  ASSERT_EQ(file->size(), 14u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(file->data()), file->size()), "hello, mapping");
  EXPECT_EQ(file->path(), dir.file("data.bin"));
}

TEST(MappedFile, EmptyFileIsAnEmptyView) {
  test::TempDir dir;
  test::write_file(dir.file("empty.bin"), "");
  auto file = MappedFile::open(dir.file("empty.bin"));
  EXPECT_EQ(file->size(), 0u);
}

TEST(MappedFile, BufferKeepsTheMappingAlive) {
  test::TempDir dir;
  test::write_file(dir.file("data.bin"), "abcdef");
  std::shared_ptr<const Buffer> view;
  {
    auto file = MappedFile::open(dir.file("data.bin"));
    view = Buffer::view(file, file->data() + 2, 3);
  }
  // The file may even go away: the mapping stays valid while the buffer lives.
  std::filesystem::remove(dir.file("data.bin"));
  EXPECT_TRUE(view->is_view());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(view->data()), view->size()), "cde");
}

TEST(MappedFile, Errors) {
  test::TempDir dir;
  try {
    MappedFile::open(dir.file("missing.bin"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("missing.bin") + ": no such file");
  }
  try {
    MappedFile::open(dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.path() + ": is a directory, not a file");
  }
}

}  // namespace
}  // namespace kiln
