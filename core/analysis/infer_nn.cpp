// Inference rules for neural-network ops: convolutions, pooling, normalizations, and the
// image-layout ops (DepthToSpace, SpaceToDepth, GridSample, RoiAlign, ...).
#include <algorithm>

#include "core/analysis/infer_context.h"
#include "core/analysis/infer_shared.h"

namespace kiln::analysis {

namespace {

void same_as_input(InferContext& c) {
  if (c.type(0).is_known()) c.set(0, c.type(0));
}

// Window attributes past this are malformed; bounding them keeps the size arithmetic in range.
constexpr int64_t kMaxWindowValue = int64_t{1} << 32;

bool plausible(InferContext& c, std::string_view name, const std::vector<int64_t>& v) {
  for (int64_t x : v)
    if (x > kMaxWindowValue || x < -kMaxWindowValue) {
      c.warn("attribute '" + std::string(name) + "' has an implausible value " + std::to_string(x));
      return false;
    }
  return true;
}

// ints attribute of the given length, `dflt` repeated when absent; nullopt (with a warning) when
// present with the wrong length or absurd values.
std::optional<std::vector<int64_t>> per_axis(InferContext& c, std::string_view name, size_t n,
                                             int64_t dflt) {
  auto v = attr_ints_opt(c.node(), name);
  if (!v) return std::vector<int64_t>(n, dflt);
  if (v->size() != n) {
    c.warn("attribute '" + std::string(name) + "' has " + std::to_string(v->size()) +
           " values for " + std::to_string(n) + " spatial axes");
    return std::nullopt;
  }
  if (!plausible(c, name, *v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::vector<Dim>> window_output_dims(InferContext& c, const Shape& x,
                                                   const std::vector<int64_t>& kernel,
                                                   bool ceil_mode) {
  size_t n = kernel.size();
  if (x.rank() != n + 2) {
    c.warn("input rank " + std::to_string(x.rank()) + " does not match a " + std::to_string(n) +
           "-D window");
    return std::nullopt;
  }
  auto strides = per_axis(c, "strides", n, 1);
  auto dilations = per_axis(c, "dilations", n, 1);
  if (!strides || !dilations || !plausible(c, "kernel_shape", kernel)) return std::nullopt;
  for (size_t i = 0; i < n; ++i)
    if ((*strides)[i] <= 0 || (*dilations)[i] <= 0 || kernel[i] <= 0) {
      c.warn("strides, dilations and kernel sizes must be positive");
      return std::nullopt;
    }
  std::string auto_pad = c.node().attr_string("auto_pad", "NOTSET");
  std::vector<int64_t> pads(2 * n, 0);
  bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (auto_pad == "NOTSET") {
    auto p = per_axis(c, "pads", 2 * n, 0);
    if (!p) return std::nullopt;
    pads = *p;
  } else if (!same && auto_pad != "VALID") {
    c.warn("unknown auto_pad '" + auto_pad + "'");
    return std::nullopt;
  }
  std::vector<Dim> out(n);
  for (size_t i = 0; i < n; ++i) {
    const Dim& in = x.dims[i + 2];
    Wide s = (*strides)[i];
    Wide ek = Wide(kernel[i] - 1) * (*dilations)[i] + 1;
    if (!in.is_known()) {
      // Sizes a symbolic dim passes through unchanged.
      if (s == 1 && (same || (ek == 1 && pads[i] == 0 && pads[i + n] == 0))) out[i] = in;
      continue;
    }
    Wide begin = pads[i], total = Wide(pads[i]) + pads[i + n];
    if (same) {
      // The padding that makes out = ceil(in / stride), split as ONNX does.
      Wide r = in.value % s;
      total = std::max<Wide>(0, r == 0 ? ek - s : ek - r);
      begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    }
    Wide span = in.value + total - ek;
    if (span < 0) {
      c.warn("window larger than the padded input on axis " + std::to_string(i + 2));
      return std::nullopt;
    }
    Wide o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    // As ONNX Runtime and PyTorch do: a last window that would start inside the end padding is
    // dropped.
    if (ceil_mode && (o - 1) * s >= in.value + begin) --o;
    out[i] = wide_dim(o);
  }
  return out;
}

std::optional<Shape> conv_output_shape(InferContext& c, size_t x_index, size_t w_index) {
  const Shape* x = c.shape(x_index);
  const Shape* w = c.shape(w_index);
  if (!x || x->rank() < 3) return std::nullopt;
  size_t n = x->rank() - 2;
  Dim out_channels = w && w->rank() >= 1 ? w->dims[0] : Dim::unknown();
  std::vector<int64_t> kernel;
  if (auto k = attr_ints_opt(c.node(), "kernel_shape")) {
    kernel = *k;
  } else if (w && w->rank() == n + 2) {
    for (size_t i = 0; i < n; ++i) {
      if (!w->dims[i + 2].is_known()) break;
      kernel.push_back(w->dims[i + 2].value);
    }
  }
  Shape out;
  out.dims.push_back(x->dims[0]);
  out.dims.push_back(out_channels);
  if (kernel.size() != n) {
    // Kernel sizes unknown: rank is still known.
    out.dims.resize(n + 2);
    return out;
  }
  auto spatial = window_output_dims(c, *x, kernel, false);
  if (!spatial) return std::nullopt;
  out.dims.insert(out.dims.end(), spatial->begin(), spatial->end());
  return out;
}

namespace {

void conv(InferContext& c) {
  DataType dt = c.dtype(0);
  auto s = conv_output_shape(c, 0, 1);
  c.set(0, s ? ValueType::tensor(dt, std::move(*s)) : ValueType::tensor(dt));
}

void conv_transpose(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  const Shape* w = c.shape(1);
  if (!x || x->rank() < 3) {
    c.set_dtype(0, dt);
    return;
  }
  size_t n = x->rank() - 2;
  int64_t group = c.node().attr_int("group", 1);
  Shape out;
  out.dims.push_back(x->dims[0]);
  Dim ch = Dim::unknown();
  if (group <= 0) {
    c.warn("attribute 'group' must be positive");
    return;
  }
  if (w && w->rank() >= 2 && w->dims[1].is_known()) ch = wide_dim(Wide(w->dims[1].value) * group);
  out.dims.push_back(ch);
  out.dims.resize(n + 2);
  auto strides = per_axis(c, "strides", n, 1);
  auto dilations = per_axis(c, "dilations", n, 1);
  auto out_pad = per_axis(c, "output_padding", n, 0);
  if (!strides || !dilations || !out_pad) {
    c.set(0, dt, std::move(out));
    return;
  }
  if (auto os = attr_ints_opt(c.node(), "output_shape")) {
    // An explicit output size wins (it may name the batch and channel dims too).
    if (os->size() != n && os->size() != n + 2) {
      c.warn("attribute 'output_shape' has the wrong length");
    } else {
      size_t off = os->size() - n;
      for (size_t i = 0; i < n; ++i) out.dims[i + 2] = Dim::known((*os)[off + i]);
    }
    c.set(0, dt, std::move(out));
    return;
  }
  std::vector<int64_t> kernel;
  if (auto k = attr_ints_opt(c.node(), "kernel_shape")) {
    kernel = *k;
  } else if (w && w->rank() == n + 2) {
    for (size_t i = 0; i < n && w->dims[i + 2].is_known(); ++i) kernel.push_back(w->dims[i + 2].value);
  }
  if (!plausible(c, "kernel_shape", kernel)) return;
  std::string auto_pad = c.node().attr_string("auto_pad", "NOTSET");
  bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  std::vector<int64_t> pads(2 * n, 0);
  if (auto_pad == "NOTSET") {
    auto p = per_axis(c, "pads", 2 * n, 0);
    if (!p) {
      c.set(0, dt, std::move(out));
      return;
    }
    pads = *p;
  }
  for (size_t i = 0; i < n; ++i) {
    const Dim& in = x->dims[i + 2];
    if (!in.is_known()) continue;
    if (same) {
      out.dims[i + 2] = wide_dim(Wide(in.value) * (*strides)[i]);
      continue;
    }
    if (kernel.size() != n) continue;
    Wide ek = (Wide(kernel[i]) - 1) * (*dilations)[i] + 1;
    Wide o = Wide((*strides)[i]) * (in.value - 1) + (*out_pad)[i] + ek - pads[i] - pads[i + n];
    if (o < 0) {
      c.warn("negative output size");
      return;
    }
    out.dims[i + 2] = wide_dim(o);
  }
  c.set(0, dt, std::move(out));
}

void pool(InferContext& c) {
  DataType dt = c.dtype(0);
  auto kernel = attr_ints_opt(c.node(), "kernel_shape");
  const Shape* x = c.shape(0);
  std::optional<Shape> out;
  if (!kernel) {
    c.warn("attribute 'kernel_shape' is missing");
  } else if (x) {
    auto spatial = window_output_dims(c, *x, *kernel, c.node().attr_int("ceil_mode", 0) != 0);
    if (spatial) {
      out = Shape({x->dims[0], x->dims[1]});
      out->dims.insert(out->dims.end(), spatial->begin(), spatial->end());
    }
  }
  c.set(0, out ? ValueType::tensor(dt, *out) : ValueType::tensor(dt));
  if (c.has_output(1))
    c.set(1, out ? ValueType::tensor(DataType::Int64, *out) : ValueType::tensor(DataType::Int64));
}

void global_pool(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  if (!x || x->rank() < 2) {
    c.set_dtype(0, dt);
    return;
  }
  Shape out = *x;
  for (size_t i = 2; i < out.rank(); ++i) out.dims[i] = Dim::known(1);
  c.set(0, dt, std::move(out));
}

void max_unpool(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  if (c.has_input(2)) {
    if (auto v = c.int_values(2)) {
      c.set(0, dt, Shape::of(*v));
    } else if (auto s = shape_of_length(c.shape(2))) {
      c.set(0, dt, std::move(*s));
    } else {
      c.set_dtype(0, dt);
    }
    return;
  }
  auto kernel = attr_ints_opt(c.node(), "kernel_shape");
  if (!x || !kernel || x->rank() != kernel->size() + 2) {
    c.set_dtype(0, dt);
    return;
  }
  size_t n = kernel->size();
  auto strides = per_axis(c, "strides", n, 1);
  auto pads = per_axis(c, "pads", 2 * n, 0);
  if (!strides || !pads) return;
  Shape out({x->dims[0], x->dims[1]});
  for (size_t i = 0; i < n; ++i) {
    const Dim& in = x->dims[i + 2];
    out.dims.push_back(in.is_known() ? wide_dim(Wide(in.value - 1) * (*strides)[i] + (*kernel)[i] -
                                                (*pads)[i] - (*pads)[i + n])
                                     : Dim::unknown());
  }
  c.set(0, dt, std::move(out));
}

void batch_norm(InferContext& c) {
  same_as_input(c);
  // Running / saved statistics, one value per channel.
  const Shape* x = c.shape(0);
  Dim ch = x && x->rank() >= 2 ? x->dims[1] : Dim::unknown();
  if (const Shape* scale = c.shape(1); scale && scale->rank() == 1) ch = refine_dim(ch, scale->dims[0], nullptr);
  for (size_t i = 1; i < c.num_outputs() && i <= 4; ++i) {
    DataType dt = c.dtype(i <= 2 ? i + 2 : 0);
    if (dt == DataType::Undefined) dt = c.dtype(0);
    c.set(i, dt, Shape({ch}));
  }
}

void layer_norm(InferContext& c) {
  same_as_input(c);
  if (c.num_outputs() < 2) return;
  auto stash = static_cast<int32_t>(c.node().attr_int("stash_type", 1));
  DataType dt = dtype_is_known(stash) ? static_cast<DataType>(stash) : DataType::Float32;
  const Shape* x = c.shape(0);
  std::optional<Shape> stats;
  if (x) {
    auto axis = normalize_axis(c.node().attr_int("axis", -1), static_cast<int64_t>(x->rank()));
    if (!axis) {
      c.warn("attribute 'axis' is out of range");
    } else {
      stats = *x;
      for (size_t i = static_cast<size_t>(*axis); i < x->rank(); ++i) stats->dims[i] = Dim::known(1);
    }
  }
  for (size_t i = 1; i < c.num_outputs() && i <= 2; ++i)
    c.set(i, stats ? ValueType::tensor(dt, *stats) : ValueType::tensor(dt));
}

void depth_to_space(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  int64_t b = c.node().attr_int("blocksize", 0);
  if (!x || x->rank() != 4 || b <= 0) {
    if (b <= 0) c.warn("attribute 'blocksize' must be positive");
    c.set(0, dt, Shape(std::vector<Dim>(4)));
    return;
  }
  auto scale = [&](const Dim& d, bool up) {
    if (!d.is_known()) return b == 1 ? d : Dim::unknown();
    return up ? wide_dim(Wide(d.value) * b) : Dim::known(d.value / b);
  };
  bool d2s = c.node().op_type == "DepthToSpace";
  Shape out({x->dims[0], Dim::unknown(), scale(x->dims[2], d2s), scale(x->dims[3], d2s)});
  const Dim& ch = x->dims[1];
  if (ch.is_known()) {
    out.dims[1] = wide_dim(d2s ? ch.value / (Wide(b) * b) : Wide(ch.value) * b * b);
  } else if (b == 1) {
    out.dims[1] = ch;
  }
  c.set(0, dt, std::move(out));
}

void grid_sample(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  const Shape* grid = c.shape(1);
  if (!x || !grid || grid->rank() != x->rank() || x->rank() < 3) {
    c.set_dtype(0, dt);
    return;
  }
  Shape out({refine_dim(x->dims[0], grid->dims[0], nullptr), x->dims[1]});
  for (size_t i = 1; i + 1 < grid->rank(); ++i) out.dims.push_back(grid->dims[i]);
  c.set(0, dt, std::move(out));
}

void roi_pool(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  const Shape* rois = c.shape(1);
  Dim n = rois && rois->rank() == 2 ? rois->dims[0] : Dim::unknown();
  Dim ch = x && x->rank() == 4 ? x->dims[1] : Dim::unknown();
  int64_t h, w;
  if (c.node().op_type == "MaxRoiPool") {
    auto p = attr_ints_opt(c.node(), "pooled_shape");
    if (!p || p->size() != 2) {
      c.warn("attribute 'pooled_shape' must have 2 values");
      return;
    }
    h = (*p)[0];
    w = (*p)[1];
  } else {
    h = c.node().attr_int("output_height", 1);
    w = c.node().attr_int("output_width", 1);
    if (const Shape* bi = c.shape(2); bi && bi->rank() == 1) n = refine_dim(n, bi->dims[0], nullptr);
  }
  c.set(0, dt, Shape({n, ch, Dim::known(h), Dim::known(w)}));
}

void affine_grid(InferContext& c) {
  DataType dt = c.dtype(0);
  auto size = c.ints(1);
  if (!size || (size->v.size() != 4 && size->v.size() != 5)) {
    c.set_dtype(0, dt);
    return;
  }
  Shape out;
  out.dims.push_back(size->v[0].to_dim());
  for (size_t i = 2; i < size->v.size(); ++i) out.dims.push_back(size->v[i].to_dim());
  out.dims.push_back(Dim::known(static_cast<int64_t>(size->v.size()) - 2));
  c.set(0, dt, std::move(out));
}

void col2im(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  auto image = c.int_values(1);
  auto block = c.int_values(2);
  if (!x || x->rank() != 3 || !image) {
    c.set_dtype(0, dt);
    return;
  }
  Shape out({x->dims[0], Dim::unknown()});
  if (block && block->size() == image->size() && x->dims[1].is_known()) {
    Wide prod = 1;
    for (int64_t b : *block) prod = b > 0 && prod <= x->dims[1].value ? prod * b : 0;
    if (prod > 0) out.dims[1] = wide_dim(x->dims[1].value / prod);
  }
  for (int64_t d : *image) out.dims.push_back(d >= 0 ? Dim::known(d) : Dim::unknown());
  c.set(0, dt, std::move(out));
}

void center_crop_pad(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  const KnownInts* sizes = c.ints(1);
  if (!x) {
    c.set_dtype(0, dt);
    return;
  }
  Shape out = *x;
  auto axes = attr_ints_opt(c.node(), "axes");
  std::vector<int64_t> ax;
  if (axes) {
    ax = *axes;
  } else {
    for (size_t i = 0; i < x->rank(); ++i) ax.push_back(static_cast<int64_t>(i));
  }
  for (size_t i = 0; i < ax.size(); ++i) {
    auto a = normalize_axis(ax[i], static_cast<int64_t>(x->rank()));
    if (!a) {
      c.warn("axis out of range");
      return;
    }
    out.dims[static_cast<size_t>(*a)] =
        sizes && sizes->v.size() == ax.size() ? sizes->v[i].to_dim() : Dim::unknown();
  }
  c.set(0, dt, std::move(out));
}

// Loss ops: per-element losses (reduction "none") have the target's shape, else a scalar.
void loss(InferContext& c) {
  DataType dt = c.dtype(0);
  std::string reduction = c.node().attr_string("reduction", "mean");
  if (reduction == "none") {
    const Shape* target = c.shape(1);
    c.set(0, target ? ValueType::tensor(dt, *target) : ValueType::tensor(dt));
  } else {
    c.set(0, dt, Shape());
  }
  if (c.has_output(1)) copy_input_type(c, 0, 1);
}

}  // namespace

void add_nn_rules(RuleTable& t) {
  t.add("Conv", 1, conv);
  t.add("ConvTranspose", 1, conv_transpose);
  t.add("MaxPool", 1, pool);
  t.add("AveragePool", 1, pool);
  t.add("LpPool", 1, pool);
  t.add("GlobalMaxPool", 1, global_pool);
  t.add("GlobalAveragePool", 1, global_pool);
  t.add("GlobalLpPool", 1, global_pool);
  t.add("MaxUnpool", 9, max_unpool);
  t.add("MaxRoiPool", 1, roi_pool);
  t.add("RoiAlign", 10, roi_pool);
  t.add("BatchNormalization", 1, batch_norm);
  t.add("InstanceNormalization", 1, same_as_input);
  t.add("LayerNormalization", 17, layer_norm);
  t.add("GroupNormalization", 18, same_as_input);
  t.add("RMSNormalization", 23, same_as_input);
  t.add("LRN", 1, same_as_input);
  t.add("LpNormalization", 1, same_as_input);
  t.add("MeanVarianceNormalization", 9, same_as_input);
  t.add("DepthToSpace", 1, depth_to_space);
  t.add("SpaceToDepth", 1, depth_to_space);
  t.add("GridSample", 16, grid_sample);
  t.add("AffineGrid", 20, affine_grid);
  t.add("Col2Im", 18, col2im);
  t.add("CenterCropPad", 18, center_crop_pad);
  t.add("NegativeLogLikelihoodLoss", 12, loss);
  t.add("SoftmaxCrossEntropyLoss", 12, loss);
}

}  // namespace kiln::analysis
