// Inference rules for ops that rearrange or resize tensors without computing on elements: Shape,
// Size, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Expand, Tile, Pad, Resize
// and Upsample (DepthToSpace and SpaceToDepth are in infer_nn.cpp). Shape tensors flowing through
// these ops keep their known contents (partial data propagation).
#include <algorithm>
#include <cmath>
#include <set>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

ValueType tensor_of(DataType dt, std::optional<Shape> s) {
  return s ? ValueType::tensor(dt, std::move(*s)) : ValueType::tensor(dt);
}

Shape unknown_dims(size_t rank) { return Shape(std::vector<Dim>(rank)); }

void shape_op(InferContext& c) {
  const Shape* s = c.shape(0);
  if (!s) {
    c.set(0, DataType::Int64, Shape({Dim::unknown()}));
    return;
  }
  auto r = static_cast<int64_t>(s->rank());
  int64_t start = 0, end = r;
  if (c.opset() >= 15) {
    auto clamp = [r](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + r : v, 0, r); };
    start = clamp(c.node().attr_int("start", 0));
    end = clamp(c.node().attr_int("end", r));
  }
  KnownInts k;
  for (int64_t i = start; i < end; ++i) k.v.push_back(SymInt::from_dim(s->dims[static_cast<size_t>(i)]));
  c.set(0, DataType::Int64, vector_shape(static_cast<int64_t>(k.v.size())));
  c.set_ints(0, std::move(k));
}

void size_op(InferContext& c) {
  c.set(0, DataType::Int64, Shape());
  if (const Shape* s = c.shape(0)) {
    KnownInts k;
    k.scalar = true;
    k.v.push_back(SymInt::from_dim(dim_product(s->dims, 0, s->rank())));
    c.set_ints(0, std::move(k));
  }
}

// Sizes as a product of a known factor and symbols, for solving Reshape's -1 when the symbols
// cancel (e.g. [batch, 3, 4] -> [batch, -1]).
struct SymProduct {
  int64_t known = 1;
  std::multiset<std::string> symbols;
  bool unknown = false;

  void mul(const Dim& d) {
    if (d.is_known()) {
      if (__builtin_mul_overflow(known, d.value, &known)) unknown = true;
    } else if (d.is_symbolic()) {
      symbols.insert(d.symbol);
    } else {
      unknown = true;
    }
  }
};

// The dim that makes numerator / denominator hold, or unknown.
Dim solve_quotient(const SymProduct& num, const SymProduct& den, InferContext& c) {
  if (num.unknown || den.unknown || den.known == 0) return Dim::unknown();
  if (num.known == 0) return Dim::known(0);
  std::multiset<std::string> rest = num.symbols;
  for (const std::string& s : den.symbols) {
    auto it = rest.find(s);
    if (it == rest.end()) return Dim::unknown();
    rest.erase(it);
  }
  if (num.known % den.known != 0) {
    if (rest.empty()) c.warn("the element count does not divide by the known target dims");
    return Dim::unknown();
  }
  int64_t q = num.known / den.known;
  if (rest.empty()) return Dim::known(q);
  if (rest.size() == 1 && q == 1) return Dim::symbolic(*rest.begin());
  return Dim::unknown();
}

void reshape(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  std::optional<KnownInts> target;
  if (c.opset() < 5) {
    if (auto s = attr_ints_opt(c.node(), "shape")) {
      KnownInts k;
      for (int64_t v : *s) k.v.push_back(SymInt::known(v));
      target = std::move(k);
    }
  } else if (const KnownInts* k = c.ints(1)) {
    target = *k;
  }
  if (!target) {
    auto s = shape_of_length(c.shape(1));
    c.set(0, tensor_of(dt, std::move(s)));
    return;
  }
  bool allowzero = c.opset() >= 14 && c.node().attr_int("allowzero", 0) != 0;
  Shape out;
  out.dims.resize(target->v.size());
  int64_t infer_at = -1;
  SymProduct den;
  for (size_t i = 0; i < target->v.size(); ++i) {
    const SymInt& t = target->v[i];
    if (t.is_known() && t.value == -1) {
      if (infer_at >= 0) {
        c.warn("more than one -1 in the target shape");
        c.set_dtype(0, dt);
        return;
      }
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (t.is_known() && t.value == 0 && !allowzero) {
      if (in && i < in->rank()) {
        out.dims[i] = in->dims[i];
      } else if (in) {
        c.warn("target shape copies dim " + std::to_string(i) + " the input does not have");
        c.set_dtype(0, dt);
        return;
      }
    } else if (t.is_known() && t.value < 0) {
      c.warn("invalid dim " + std::to_string(t.value) + " in the target shape");
      c.set_dtype(0, dt);
      return;
    } else {
      out.dims[i] = t.to_dim();
    }
    den.mul(out.dims[i]);
  }
  if (infer_at >= 0 && in) {
    SymProduct num;
    for (const Dim& d : in->dims) num.mul(d);
    out.dims[static_cast<size_t>(infer_at)] = solve_quotient(num, den, c);
  }
  c.set(0, dt, std::move(out));
}

void flatten(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set(0, dt, unknown_dims(2));
    return;
  }
  auto r = static_cast<int64_t>(in->rank());
  int64_t axis = c.node().attr_int("axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) {
    c.warn("attribute 'axis' is out of range");
    return;
  }
  auto a = static_cast<size_t>(axis);
  c.set(0, dt, Shape({dim_product(in->dims, 0, a), dim_product(in->dims, a, in->rank())}));
}

// Axes from the attribute (older opsets) or input 1 (newer); nullopt when not known.
// `present` tells whether the node names axes at all.
std::optional<std::vector<int64_t>> axes_of(InferContext& c, int64_t input_from_opset,
                                            bool& present) {
  if (c.opset() < input_from_opset) {
    auto a = attr_ints_opt(c.node(), "axes");
    present = a.has_value();
    return a;
  }
  present = c.has_input(1);
  if (!present) return std::nullopt;
  return c.int_values(1);
}

void squeeze(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  bool present = false;
  auto axes = axes_of(c, 13, present);
  if (!in || (present && !axes)) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(in->rank());
  std::vector<bool> drop(in->rank(), false);
  if (present) {
    for (int64_t a : *axes) {
      auto n = normalize_axis(a, r);
      if (!n) {
        c.warn("axis " + std::to_string(a) + " is out of range");
        c.set_dtype(0, dt);
        return;
      }
      const Dim& d = in->dims[static_cast<size_t>(*n)];
      if (d.is_known() && d.value != 1) {
        c.warn("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(d.value));
        c.set_dtype(0, dt);
        return;
      }
      drop[static_cast<size_t>(*n)] = true;
    }
  } else {
    for (size_t i = 0; i < in->rank(); ++i) {
      // Which dims are 1 is not known yet, so neither is the rank.
      if (!in->dims[i].is_known()) {
        c.set_dtype(0, dt);
        return;
      }
      drop[i] = in->dims[i].value == 1;
    }
  }
  Shape out;
  for (size_t i = 0; i < in->rank(); ++i)
    if (!drop[i]) out.dims.push_back(in->dims[i]);
  c.set(0, dt, std::move(out));
  const KnownInts* k = c.ints(0);
  if (k && in->rank() == 1 && drop[0] && k->v.size() == 1) c.set_ints(0, KnownInts{k->v, true});
}

void unsqueeze(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  bool present = false;
  auto axes = axes_of(c, 13, present);
  if (!axes) {
    if (!present) c.warn("axes are missing");
    c.set_dtype(0, dt);
    return;
  }
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(in->rank() + axes->size());
  std::vector<bool> inserted(static_cast<size_t>(r), false);
  for (int64_t a : *axes) {
    auto n = normalize_axis(a, r);
    if (!n || inserted[static_cast<size_t>(*n)]) {
      c.warn("axis " + std::to_string(a) + " is out of range or repeated");
      c.set_dtype(0, dt);
      return;
    }
    inserted[static_cast<size_t>(*n)] = true;
  }
  Shape out;
  size_t j = 0;
  for (size_t i = 0; i < inserted.size(); ++i)
    out.dims.push_back(inserted[i] ? Dim::known(1) : in->dims[j++]);
  c.set(0, dt, std::move(out));
  const KnownInts* k = c.ints(0);
  if (k && r == 1 && k->scalar) c.set_ints(0, KnownInts{k->v, false});
}

void transpose(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  auto perm = attr_ints_opt(c.node(), "perm");
  if (!in) {
    c.set(0, perm ? tensor_of(dt, unknown_dims(perm->size())) : ValueType::tensor(dt));
    return;
  }
  size_t r = in->rank();
  std::vector<int64_t> p;
  if (perm) {
    p = *perm;
  } else {
    for (size_t i = 0; i < r; ++i) p.push_back(static_cast<int64_t>(r - 1 - i));
  }
  std::vector<bool> seen(r, false);
  Shape out;
  for (int64_t a : p) {
    auto n = normalize_axis(a, static_cast<int64_t>(r));
    if (p.size() != r || !n || seen[static_cast<size_t>(*n)]) {
      c.warn("attribute 'perm' is not a permutation of the input's axes");
      c.set_dtype(0, dt);
      return;
    }
    seen[static_cast<size_t>(*n)] = true;
    out.dims.push_back(in->dims[static_cast<size_t>(*n)]);
  }
  c.set(0, dt, std::move(out));
}

void concat(InferContext& c) {
  DataType dt = DataType::Undefined;
  const Shape* ref = nullptr;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i)) continue;
    if (dt == DataType::Undefined) dt = c.dtype(i);
    const Shape* s = c.shape(i);
    if (s && !ref) ref = s;
  }
  if (!ref) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(ref->rank());
  int64_t default_axis = c.opset() < 4 ? 1 : 0;
  const Attribute* axis_attr = c.node().attr("axis");
  if (!axis_attr && c.opset() >= 4) c.warn("attribute 'axis' is missing");
  auto axis = normalize_axis(axis_attr ? axis_attr->i : default_axis, r);
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    c.set_dtype(0, dt);
    return;
  }
  auto ax = static_cast<size_t>(*axis);
  Shape out = *ref;
  bool conflict = false;
  SymInt total = SymInt::known(0);
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i)) continue;
    const Shape* s = c.shape(i);
    if (!s) {
      total = SymInt::unknown();
      continue;
    }
    if (s->rank() != ref->rank()) {
      c.warn("inputs have different ranks");
      c.set_dtype(0, dt);
      return;
    }
    for (size_t d = 0; d < s->rank(); ++d)
      if (d != ax) out.dims[d] = refine_dim(out.dims[d], s->dims[d], &conflict);
    total = sym_add(total, SymInt::from_dim(s->dims[ax]));
  }
  if (conflict) c.warn("inputs differ in a dim other than the concatenation axis");
  out.dims[ax] = total.to_dim();
  c.set(0, dt, std::move(out));

  KnownInts joined;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    if (!c.has_input(i)) continue;
    const KnownInts* k = c.ints(i);
    if (!k || k->scalar) return;
    joined.v.insert(joined.v.end(), k->v.begin(), k->v.end());
  }
  if (r == 1) c.set_ints(0, std::move(joined));
}

void split(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  size_t n = c.num_outputs();
  auto set_all = [&](const std::vector<std::optional<Shape>>& shapes) {
    for (size_t i = 0; i < n; ++i) c.set(i, tensor_of(dt, shapes.size() > i ? shapes[i] : std::nullopt));
  };
  if (!in || n == 0) {
    set_all({});
    return;
  }
  auto axis = normalize_axis(c.node().attr_int("axis", 0), static_cast<int64_t>(in->rank()));
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    set_all({});
    return;
  }
  auto ax = static_cast<size_t>(*axis);
  std::optional<std::vector<int64_t>> sizes;
  bool sizes_given = false;
  if (c.opset() >= 13) {
    sizes_given = c.has_input(1);
    if (sizes_given) sizes = c.int_values(1);
  } else {
    sizes = attr_ints_opt(c.node(), "split");
    sizes_given = sizes.has_value();
    if (!sizes && c.has_input(1)) {  // Split-1 could take the sizes as an input
      sizes_given = true;
      sizes = c.int_values(1);
    }
  }
  if (sizes_given && sizes && sizes->empty()) sizes_given = false;  // empty: split evenly
  std::vector<std::optional<Shape>> shapes(n, *in);
  const Dim& d = in->dims[ax];
  if (sizes_given) {
    if (!sizes) {
      for (auto& s : shapes) s->dims[ax] = Dim::unknown();
    } else if (sizes->size() != n) {
      c.warn("'split' has " + std::to_string(sizes->size()) + " sizes for " + std::to_string(n) +
             " outputs");
      for (auto& s : shapes) s->dims[ax] = Dim::unknown();
    } else {
      Wide sum = 0;
      for (size_t i = 0; i < n; ++i) {
        shapes[i]->dims[ax] = wide_dim((*sizes)[i]);
        sum += (*sizes)[i];
      }
      if (d.is_known() && sum != d.value) c.warn("split sizes do not add up to the axis size");
    }
  } else if (!d.is_known()) {
    for (auto& s : shapes) s->dims[ax] = n == 1 ? d : Dim::unknown();
  } else {
    // Even split; from opset 18 (num_outputs) the last chunk may be smaller.
    auto ni = static_cast<int64_t>(n);
    int64_t chunk = d.value / ni + (d.value % ni != 0 ? 1 : 0);
    if (d.value % ni != 0 && c.opset() < 18) {
      c.warn("axis size " + std::to_string(d.value) + " does not split evenly into " +
             std::to_string(n) + " outputs");
      set_all({});
      return;
    }
    int64_t left = d.value;
    for (size_t i = 0; i < n; ++i) {
      int64_t sz = std::max<int64_t>(0, std::min(chunk, left));
      shapes[i]->dims[ax] = Dim::known(sz);
      left -= sz;
    }
  }
  set_all(shapes);
}

void expand(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  const KnownInts* k = c.ints(1);
  Shape target;
  if (k) {
    for (const SymInt& s : k->v) target.dims.push_back(s.to_dim());
  } else if (auto s = shape_of_length(c.shape(1))) {
    target = std::move(*s);
  } else {
    c.set_dtype(0, dt);
    return;
  }
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  bool conflict = false;
  Shape out = broadcast_shapes(*in, target, &conflict);
  if (conflict) c.warn("input shape " + in->str() + " cannot expand to " + target.str());
  c.set(0, dt, std::move(out));
}

void tile(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  Shape out = *in;
  if (c.opset() < 6) {  // Tile-1: scalar tiles and axis inputs
    const KnownInts* tiles = c.ints(1);
    const KnownInts* axis = c.ints(2);
    const auto rank = static_cast<int64_t>(in->rank());
    if (!tiles || !axis || tiles->v.size() != 1 || axis->v.size() != 1 || !axis->v[0].is_known() ||
        axis->v[0].value < -rank || axis->v[0].value >= rank) {
      for (Dim& d : out.dims) d = Dim::unknown();
    } else {
      const int64_t a = axis->v[0].value < 0 ? axis->v[0].value + rank : axis->v[0].value;
      Dim& d = out.dims[static_cast<size_t>(a)];
      d = sym_mul(SymInt::from_dim(d), tiles->v[0]).to_dim();
    }
    c.set(0, dt, std::move(out));
    return;
  }
  const KnownInts* reps = c.ints(1);
  if (reps && reps->v.size() != in->rank()) {
    c.warn("'repeats' has the wrong length");
    reps = nullptr;
  }
  for (size_t i = 0; i < out.rank(); ++i)
    out.dims[i] = reps ? sym_mul(SymInt::from_dim(in->dims[i]), reps->v[i]).to_dim() : Dim::unknown();
  c.set(0, dt, std::move(out));
}

void pad(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  size_t r = in->rank();
  std::optional<KnownInts> pads;
  if (c.opset() < 11) {
    auto p = attr_ints_opt(c.node(), c.opset() < 2 ? "paddings" : "pads");
    if (p) {
      KnownInts k;
      for (int64_t v : *p) k.v.push_back(SymInt::known(v));
      pads = std::move(k);
    }
  } else if (const KnownInts* k = c.ints(1)) {
    pads = *k;
  }
  std::vector<size_t> axes;
  if (c.opset() >= 18 && c.has_input(3)) {
    auto a = c.int_values(3);
    if (!a) {
      c.set(0, dt, unknown_dims(r));
      return;
    }
    for (int64_t x : *a) {
      auto n = normalize_axis(x, static_cast<int64_t>(r));
      if (!n) {
        c.warn("axis out of range");
        return;
      }
      axes.push_back(static_cast<size_t>(*n));
    }
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  if (!pads) {
    Shape out = *in;
    for (size_t a : axes) out.dims[a] = Dim::unknown();
    c.set(0, dt, std::move(out));
    return;
  }
  if (pads->v.size() != 2 * axes.size()) {
    c.warn("'pads' has " + std::to_string(pads->v.size()) + " values for " +
           std::to_string(axes.size()) + " axes");
    return;
  }
  Shape out = *in;
  for (size_t i = 0; i < axes.size(); ++i) {
    SymInt d = sym_add(sym_add(SymInt::from_dim(in->dims[axes[i]]), pads->v[i]),
                       pads->v[i + axes.size()]);
    if (d.is_known() && d.value < 0) {
      c.warn("padding makes axis " + std::to_string(axes[i]) + " negative");
      return;
    }
    out.dims[axes[i]] = d.to_dim();
  }
  c.set(0, dt, std::move(out));
}

// floor(in * scale), computed in float as ONNX and ONNX Runtime do.
Dim scaled_dim(const Dim& in, double scale) {
  if (scale == 1.0) return in;
  if (!in.is_known()) return Dim::unknown();
  auto v = size_from_double(static_cast<float>(in.value) * static_cast<float>(scale));
  return v ? Dim::known(*v) : Dim::unknown();
}

void resize_with_scales(InferContext& c, const Shape& in, const std::vector<double>& scales,
                        const std::vector<size_t>& axes) {
  if (scales.size() != axes.size()) {
    c.warn("'scales' has " + std::to_string(scales.size()) + " values for " +
           std::to_string(axes.size()) + " axes");
    return;
  }
  Shape out = in;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (scales[i] <= 0) {
      c.warn("scales must be positive");
      return;
    }
    out.dims[axes[i]] = scaled_dim(in.dims[axes[i]], scales[i]);
  }
  c.set(0, c.dtype(0), std::move(out));
}

void resize(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  size_t r = in->rank();
  std::vector<size_t> axes;
  if (auto a = attr_ints_opt(c.node(), "axes"); a && c.opset() >= 18) {
    for (int64_t x : *a) {
      auto n = normalize_axis(x, static_cast<int64_t>(r));
      if (!n) {
        c.warn("axis out of range");
        return;
      }
      axes.push_back(static_cast<size_t>(*n));
    }
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  size_t scales_at = c.opset() < 11 ? 1 : 2;
  // An omitted or empty scales / sizes input does not count.
  auto given = [&](size_t i) {
    if (!c.has_input(i)) return false;
    const Shape* s = c.shape(i);
    return !(s && s->rank() == 1 && s->dims[0].is_known() && s->dims[0].value == 0);
  };
  if (c.opset() >= 11 && given(3)) {
    const KnownInts* sizes = c.ints(3);
    if (!sizes) {
      Shape out = *in;
      for (size_t a : axes) out.dims[a] = Dim::unknown();
      c.set(0, dt, std::move(out));
      return;
    }
    if (sizes->v.size() != axes.size()) {
      c.warn("'sizes' has the wrong length");
      return;
    }
    Shape out = *in;
    std::string policy = c.node().attr_string("keep_aspect_ratio_policy", "stretch");
    if (c.opset() >= 18 && policy != "stretch") {
      // One scale for every axis, the smallest (not_larger) or largest (not_smaller) ratio.
      std::optional<double> scale;
      for (size_t i = 0; i < axes.size(); ++i) {
        const Dim& d = in->dims[axes[i]];
        if (!d.is_known() || !sizes->v[i].is_known() || d.value == 0) {
          scale.reset();
          break;
        }
        double s = static_cast<double>(sizes->v[i].value) / static_cast<double>(d.value);
        scale = !scale ? s : policy == "not_larger" ? std::min(*scale, s) : std::max(*scale, s);
      }
      for (size_t i = 0; i < axes.size(); ++i) {
        const Dim& d = in->dims[axes[i]];
        auto v = scale ? size_from_double(std::round(static_cast<double>(d.value) * *scale))
                       : std::nullopt;
        out.dims[axes[i]] = v ? Dim::known(*v) : Dim::unknown();
      }
    } else {
      for (size_t i = 0; i < axes.size(); ++i) out.dims[axes[i]] = sizes->v[i].to_dim();
    }
    c.set(0, dt, std::move(out));
    return;
  }
  if (given(scales_at)) {
    if (auto scales = c.double_values(scales_at)) {
      resize_with_scales(c, *in, *scales, axes);
      return;
    }
  }
  Shape out = *in;
  for (size_t a : axes) out.dims[a] = Dim::unknown();
  c.set(0, dt, std::move(out));
}

void upsample(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  std::vector<size_t> axes;
  for (size_t i = 0; i < in->rank(); ++i) axes.push_back(i);
  std::optional<std::vector<double>> scales;
  if (c.opset() >= 9) {
    scales = c.double_values(1);
  } else if (auto f = c.node().attr_floats("scales"); !f.empty()) {
    scales = std::vector<double>(f.begin(), f.end());
  } else if (in->rank() == 4) {
    // Upsample-1: NCHW with separate height and width factors.
    scales = std::vector<double>{1.0, 1.0, c.node().attr_float("height_scale", 1.f),
                                 c.node().attr_float("width_scale", 1.f)};
  }
  if (!scales) {
    c.set(0, dt, unknown_dims(in->rank()));
    return;
  }
  resize_with_scales(c, *in, *scales, axes);
}

}  // namespace

void add_tensor_rules(RuleTable& t) {
  t.add("Shape", 1, shape_op);
  t.add("Size", 1, size_op);
  t.add("Reshape", 1, reshape);
  t.add("Flatten", 1, flatten);
  t.add("Squeeze", 1, squeeze);
  t.add("Unsqueeze", 1, unsqueeze);
  t.add("Transpose", 1, transpose);
  t.add("Concat", 1, concat);
  t.add("Split", 1, split);
  t.add("Expand", 8, expand);
  t.add("Tile", 1, tile);
  t.add("Pad", 1, pad);
  t.add("Resize", 10, resize);
  t.add("Upsample", 1, upsample, 9);
}

}  // namespace kiln::analysis
