#pragma once
// Reference pooling over NC(D)(H)W tensors, up to three spatial dims (leading dims padded with 1,
// as in conv.h). Global pooling is a window the size of the input.
#include <array>
#include <cstdint>

namespace kiln {

enum class PoolKind { Max, Average, Lp };

struct PoolParams {
  PoolKind kind = PoolKind::Max;
  int64_t batch = 1, channels = 1;
  std::array<int64_t, 3> in{1, 1, 1};
  std::array<int64_t, 3> out{1, 1, 1};
  std::array<int64_t, 3> kernel{1, 1, 1};
  std::array<int64_t, 3> stride{1, 1, 1};
  std::array<int64_t, 3> dilation{1, 1, 1};
  std::array<int64_t, 3> pad_begin{0, 0, 0};
  std::array<int64_t, 3> pad_end{0, 0, 0};
  bool count_include_pad = false;  // Average: divide by the window clipped to the padded input
  double p = 2.0;                  // Lp
  bool column_major_indices = false;  // MaxPool storage_order 1
};

// T is float or double; int8_t and uint8_t for Max. indices (Max only, may be null) receive the flat index of each maximum in X (padding excluded).
template <class T>
void pool_ref(const PoolParams& p, const T* x, T* y, int64_t* indices);

}  // namespace kiln
