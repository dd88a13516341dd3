#include "kernels/cpu/ref/broadcast.h"

namespace kiln::ref {

int64_t dims_numel(const Dims& d) {
  int64_t n = 1;
  for (int64_t v : d) n *= v;
  return n;
}

bool broadcast_into(Dims& out, const Dims& b) {
  if (b.size() > out.size()) out.insert(out.begin(), b.size() - out.size(), 1);
  const size_t shift = out.size() - b.size();
  for (size_t i = 0; i < b.size(); ++i) {
    int64_t& o = out[shift + i];
    if (o == b[i] || b[i] == 1) continue;
    if (o != 1) return false;
    o = b[i];
  }
  return true;
}

Dims broadcast_strides(const Dims& in, const Dims& out) {
  Dims s(out.size(), 0);
  const size_t shift = out.size() - in.size();
  int64_t stride = 1;
  for (size_t i = in.size(); i-- > 0;) {
    s[shift + i] = in[i] == 1 ? 0 : stride;
    stride *= in[i];
  }
  return s;
}

}  // namespace kiln::ref
