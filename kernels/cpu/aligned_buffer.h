#pragma once
// Float storage aligned to 64 bytes (a cache line; what the packed GEMM panels' aligned loads need).
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace kiln::cpu {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t floats) { resize(floats); }
  // Grows (never shrinks) to hold `floats` values; contents are not preserved.
  void resize(size_t floats) {
    if (floats <= capacity_) return;
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    data_.reset(p);
    capacity_ = floats;
  }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  size_t capacity_ = 0;
};

}  // namespace kiln::cpu
