#include "core/onnx/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/util/error.h"

namespace kiln::onnx_io {

namespace {

constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  std::vector<char> name(path_.begin(), path_.end());
  const char suffix[] = ".kiln-tmp-XXXXXX";
  name.insert(name.end(), suffix, suffix + sizeof(suffix));
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0) fail(path_, ": cannot create a file next to it (", std::strerror(errno), ")");
  temp_path_ = name.data();
  // mkstemp makes the file private; an export replaces a file with the same permissions, or
  // creates a normally readable one.
  struct stat st {};
  mode_t mode = ::stat(path_.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  ::fchmod(fd_, mode);
  buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::flush() {
  const char* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path_, ": write failed (", std::strerror(errno), ")");
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffer_.clear();
}

void AtomicFile::write(const void* data, size_t size) {
  if (fd_ < 0) fail(path_, ": internal: write after finish");
  const char* p = static_cast<const char*>(data);
  written_ += size;
  if (buffer_.size() + size <= kBufferBytes) {
    buffer_.append(p, size);
    return;
  }
  flush();
  if (size < kBufferBytes) {
    buffer_.append(p, size);
    return;
  }
  // Large blocks (weights) go straight from the tensor's memory to the file.
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path_, ": write failed (", std::strerror(errno), ")");
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFile::pad_to(uint64_t offset) {
  static const char zeros[64] = {};
  while (written_ < offset) write(zeros, static_cast<size_t>(std::min<uint64_t>(sizeof(zeros), offset - written_)));
}

void AtomicFile::finish() {
  flush();
  if (::fsync(fd_) != 0) fail(path_, ": cannot sync to disk (", std::strerror(errno), ")");
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(path_, ": write failed (", std::strerror(errno), ")");
}

void AtomicFile::commit() {
  if (fd_ >= 0) finish();
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    fail(path_, ": cannot replace the file (", std::strerror(errno), ")");
  committed_ = true;
}

}  // namespace kiln::onnx_io
