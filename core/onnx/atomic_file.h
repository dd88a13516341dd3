#pragma once
// A file written under a temporary name in its destination folder and renamed into place, so a
// failed or interrupted export never leaves a half-written file where a good one was.
#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln::onnx_io {

class AtomicFile {
 public:
  // Creates the temporary file next to `path`. Throws kiln::Error "PATH: reason".
  explicit AtomicFile(std::string path);
  // Removes the temporary file unless commit() ran.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  // Writes zeros up to `offset` (for aligned layouts).
  void pad_to(uint64_t offset);
  uint64_t size() const { return written_; }
  // Flushes, syncs to disk and closes; after this only commit() is allowed.
  void finish();
  // Renames the finished file over `path`.
  void commit();

 private:
  void flush();

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t written_ = 0;
  bool committed_ = false;
};

}  // namespace kiln::onnx_io
