#include "core/ir/type.h"

#include <limits>

namespace kiln {

std::string Dim::str() const {
  if (is_known()) return std::to_string(value);
  if (!symbol.empty()) return symbol;
  return "?";
}

Shape Shape::of(const std::vector<int64_t>& v) {
  Shape s;
  s.dims.reserve(v.size());
  for (int64_t d : v) s.dims.push_back(d >= 0 ? Dim::known(d) : Dim::unknown());
  return s;
}

bool Shape::is_static() const {
  for (const Dim& d : dims)
    if (!d.is_known()) return false;
  return true;
}

std::optional<int64_t> Shape::numel() const {
  int64_t n = 1;
  for (const Dim& d : dims) {
    if (!d.is_known()) return std::nullopt;
    if (d.value != 0 && n > std::numeric_limits<int64_t>::max() / d.value) return std::nullopt;
    n *= d.value;
  }
  return n;
}

std::vector<int64_t> Shape::values() const {
  std::vector<int64_t> v;
  v.reserve(dims.size());
  for (const Dim& d : dims) v.push_back(d.is_known() ? d.value : -1);
  return v;
}

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += dims[i].str();
  }
  return s + "]";
}

std::string ValueType::str() const {
  switch (kind) {
    case Kind::Unknown: return "?";
    case Kind::Other: return "<non-tensor>";
    case Kind::Tensor: break;
  }
  std::string s(dtype_short_name(dtype));
  return s + (shape ? shape->str() : std::string("[*]"));
}

}  // namespace kiln
