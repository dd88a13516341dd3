// Inference rules for indexing ops: Slice, Gather*, Scatter*, TopK, and the ops whose output size
// depends on the data (NonZero, Unique, Compress), which get fresh symbolic dims.
#include <algorithm>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

ValueType tensor_of(DataType dt, std::optional<Shape> s) {
  return s ? ValueType::tensor(dt, std::move(*s)) : ValueType::tensor(dt);
}

// Elements [start, end) by step along a dim of size n, with ONNX's clamping.
int64_t slice_length(int64_t n, int64_t start, int64_t end, int64_t step) {
  if (n <= 0) return 0;
  if (start < 0) start = start < -n ? -1 : start + n;
  if (end < 0) end = end < -n ? -1 : end + n;
  // Clamped to [-1, n], the bounds cannot overflow; the step can, so the rounding is done wide.
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    return end > start ? static_cast<int64_t>((Wide(end) - start + step - 1) / step) : 0;
  }
  start = std::clamp<int64_t>(start, 0, n - 1);
  end = std::clamp<int64_t>(end, -1, n - 1);
  return start > end ? static_cast<int64_t>((Wide(start) - end - step - 1) / -Wide(step)) : 0;
}

void slice(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(in->rank());
  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  bool axes_given, steps_given;
  if (c.opset() < 10) {
    starts = attr_ints_opt(c.node(), "starts");
    ends = attr_ints_opt(c.node(), "ends");
    axes = attr_ints_opt(c.node(), "axes");
    axes_given = axes.has_value();
    steps_given = false;
  } else {
    starts = c.int_values(1);
    ends = c.int_values(2);
    axes_given = c.has_input(3);
    if (axes_given) axes = c.int_values(3);
    steps_given = c.has_input(4);
    if (steps_given) steps = c.int_values(4);
  }
  Shape out = *in;
  if ((axes_given && !axes) || (steps_given && !steps) || !starts || !ends) {
    // Which dims are sliced may be known even if by how much is not.
    if (axes_given && axes) {
      for (int64_t a : *axes)
        if (auto n = normalize_axis(a, r)) out.dims[static_cast<size_t>(*n)] = Dim::unknown();
    } else {
      for (Dim& d : out.dims) d = Dim::unknown();
    }
    c.set(0, dt, std::move(out));
    return;
  }
  size_t n = starts->size();
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < n; ++i) axes->push_back(static_cast<int64_t>(i));
  }
  if (!steps) steps = std::vector<int64_t>(n, 1);
  if (ends->size() != n || axes->size() != n || steps->size() != n) {
    c.warn("starts, ends, axes and steps differ in length");
    return;
  }
  std::vector<bool> seen(in->rank(), false);
  for (size_t i = 0; i < n; ++i) {
    auto a = normalize_axis((*axes)[i], r);
    if (!a || seen[static_cast<size_t>(*a)]) {
      c.warn("axis " + std::to_string((*axes)[i]) + " is out of range or repeated");
      return;
    }
    auto ax = static_cast<size_t>(*a);
    seen[ax] = true;
    int64_t st = (*starts)[i], en = (*ends)[i], sp = (*steps)[i];
    if (sp == 0) {
      c.warn("slice step is 0");
      return;
    }
    const Dim& d = in->dims[ax];
    if (d.is_known()) {
      out.dims[ax] = Dim::known(slice_length(d.value, st, en, sp));
    } else if ((st == 0 && sp == 1 && en >= std::numeric_limits<int32_t>::max()) ||
               (st == -1 && sp == -1 && en <= std::numeric_limits<int32_t>::min())) {
      out.dims[ax] = d;  // the whole axis, forward or reversed
    } else {
      out.dims[ax] = Dim::unknown();
    }
  }
  c.set(0, dt, std::move(out));

  // Slicing a shape tensor.
  const KnownInts* k = c.ints(0);
  if (!k || k->scalar || r != 1 || n != 1) return;
  auto len = static_cast<int64_t>(k->v.size());
  int64_t st = (*starts)[0], en = (*ends)[0], sp = (*steps)[0];
  int64_t count = slice_length(len, st, en, sp);
  if (count == 0) {
    c.set_ints(0, KnownInts{});
    return;
  }
  if (st < 0) st = st < -len ? 0 : st + len;
  st = sp > 0 ? std::clamp<int64_t>(st, 0, len) : std::clamp<int64_t>(st, 0, len - 1);
  KnownInts o;
  for (int64_t i = 0; i < count; ++i) o.v.push_back(k->v[static_cast<size_t>(st + Wide(i) * sp)]);
  c.set_ints(0, std::move(o));
}

void gather(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* data = c.shape(0);
  const Shape* idx = c.shape(1);
  if (!data || !idx) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(data->rank());
  auto axis = normalize_axis(c.node().attr_int("axis", 0), r);
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    c.set_dtype(0, dt);
    return;
  }
  auto ax = static_cast<size_t>(*axis);
  Shape out;
  out.dims.insert(out.dims.end(), data->dims.begin(), data->dims.begin() + static_cast<long>(ax));
  out.dims.insert(out.dims.end(), idx->dims.begin(), idx->dims.end());
  out.dims.insert(out.dims.end(), data->dims.begin() + static_cast<long>(ax) + 1, data->dims.end());
  c.set(0, dt, std::move(out));

  const KnownInts* k = c.ints(0);
  auto indices = c.int_values(1);
  if (!k || k->scalar || !indices || r != 1 || idx->rank() > 1) return;
  auto len = static_cast<int64_t>(k->v.size());
  KnownInts o;
  o.scalar = idx->rank() == 0;
  for (int64_t i : *indices) {
    if (i < 0) i += len;
    if (i < 0 || i >= len) {
      c.warn("index out of range");
      return;
    }
    o.v.push_back(k->v[static_cast<size_t>(i)]);
  }
  c.set_ints(0, std::move(o));
}

void gather_elements(InferContext& c) {
  const Shape* idx = c.shape(1);
  c.set(0, tensor_of(c.dtype(0), idx ? std::optional<Shape>(*idx) : std::nullopt));
}

void gather_nd(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* data = c.shape(0);
  const Shape* idx = c.shape(1);
  if (!data || !idx || idx->rank() == 0 || !idx->dims.back().is_known()) {
    c.set_dtype(0, dt);
    return;
  }
  int64_t b = c.node().attr_int("batch_dims", 0);
  int64_t m = idx->dims.back().value;
  auto r = static_cast<int64_t>(data->rank());
  if (b < 0 || m > r || b > r - m || b >= static_cast<int64_t>(idx->rank())) {
    c.warn("indices' last dim and batch_dims exceed the data's rank");
    return;
  }
  Shape out;
  out.dims.assign(idx->dims.begin(), idx->dims.end() - 1);
  out.dims.insert(out.dims.end(), data->dims.begin() + b + m, data->dims.end());
  c.set(0, dt, std::move(out));
}

void same_as_data(InferContext& c) { copy_input_type(c, 0, 0); }

void topk(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    c.set_dtype(1, DataType::Int64);
    return;
  }
  auto axis = normalize_axis(c.node().attr_int("axis", -1), static_cast<int64_t>(in->rank()));
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    return;
  }
  Dim k = Dim::unknown();
  if (c.opset() < 10) {
    k = Dim::known(c.node().attr_int("k", 0));
  } else if (const KnownInts* kv = c.ints(1); kv && kv->v.size() == 1) {
    k = kv->v[0].to_dim();
  }
  Shape out = *in;
  const Dim& d = in->dims[static_cast<size_t>(*axis)];
  if (k.is_known() && d.is_known() && k.value > d.value) {
    c.warn("k exceeds the axis size");
    return;
  }
  out.dims[static_cast<size_t>(*axis)] = k;
  c.set(0, dt, out);
  c.set(1, DataType::Int64, std::move(out));
}

void nonzero(InferContext& c) {
  int64_t r = c.rank(0);
  c.set(0, DataType::Int64, Shape({r >= 0 ? Dim::known(r) : Dim::unknown(), c.fresh()}));
}

void compress(InferContext& c) {
  DataType dt = c.dtype(0);
  const Attribute* axis = c.node().attr("axis");
  if (!axis) {
    c.set(0, dt, Shape({c.fresh()}));
    return;
  }
  const Shape* in = c.shape(0);
  if (!in) {
    c.set_dtype(0, dt);
    return;
  }
  auto a = normalize_axis(axis->i, static_cast<int64_t>(in->rank()));
  if (!a) {
    c.warn("attribute 'axis' is out of range");
    return;
  }
  Shape out = *in;
  out.dims[static_cast<size_t>(*a)] = c.fresh();
  c.set(0, dt, std::move(out));
}

void unique(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  Dim u = c.fresh();
  const Attribute* axis = c.node().attr("axis");
  Dim inverse = Dim::unknown();
  if (!axis) {
    c.set(0, dt, Shape({u}));
    if (in) inverse = dim_product(in->dims, 0, in->rank());
  } else if (in) {
    auto a = normalize_axis(axis->i, static_cast<int64_t>(in->rank()));
    if (!a) {
      c.warn("attribute 'axis' is out of range");
      return;
    }
    Shape out = *in;
    out.dims[static_cast<size_t>(*a)] = u;
    c.set(0, dt, std::move(out));
    inverse = in->dims[static_cast<size_t>(*a)];
  } else {
    c.set_dtype(0, dt);
  }
  c.set(1, DataType::Int64, Shape({u}));
  c.set(2, DataType::Int64, Shape({inverse}));
  c.set(3, DataType::Int64, Shape({u}));
}

void one_hot(InferContext& c) {
  DataType dt = c.dtype(2);
  const Shape* idx = c.shape(0);
  if (!idx) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(idx->rank());
  auto axis = normalize_axis(c.node().attr_int("axis", -1), r + 1);
  if (!axis) {
    c.warn("attribute 'axis' is out of range");
    return;
  }
  Dim depth = Dim::unknown();
  if (auto d = c.double_values(1); d && d->size() == 1) {
    auto v = size_from_double((*d)[0]);
    depth = v ? Dim::known(*v) : Dim::unknown();
  } else if (const KnownInts* k = c.ints(1); k && k->v.size() == 1) {
    depth = k->v[0].to_dim();
  }
  Shape out = *idx;
  out.dims.insert(out.dims.begin() + *axis, depth);
  c.set(0, dt, std::move(out));
}

}  // namespace

void add_indexing_rules(RuleTable& t) {
  t.add("Slice", 1, slice);
  t.add("Gather", 1, gather);
  t.add("GatherElements", 11, gather_elements);
  t.add("GatherND", 11, gather_nd);
  t.add("ScatterND", 11, same_as_data);
  t.add("ScatterElements", 11, same_as_data);
  t.add("Scatter", 9, same_as_data, 10);
  t.add("ReverseSequence", 10, same_as_data);
  t.add("TopK", 1, topk);
  t.add("NonZero", 9, nonzero);
  t.add("Compress", 9, compress);
  t.add("Unique", 11, unique);
  t.add("OneHot", 9, one_hot);
}

}  // namespace kiln::analysis
