#pragma once
// A read-only memory mapping of a whole file. Weights stored as ONNX external data are viewed in
// place (Buffer::view keeps the mapping alive through a shared_ptr), so a multi-gigabyte model
// costs address space, not heap, and pages are read only when touched.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace kiln {

class MappedFile {
 public:
  // Maps `path` read-only. Throws kiln::Error "PATH: reason" (no such file, is a directory, ...).
  static std::shared_ptr<const MappedFile> open(const std::string& path);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace kiln
