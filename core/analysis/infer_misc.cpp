// Inference rules for generators and the rest: Constant (every value_* form), ConstantOfShape,
// Range, EyeLike, random generators, signal windows and transforms, NonMaxSuppression.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

constexpr size_t kMaxFoldedElements = 4096;

DataType dtype_attr(const Node& n, std::string_view name, DataType dflt) {
  const Attribute* a = n.attr(name);
  if (!a || !dtype_is_known(static_cast<int32_t>(a->i))) return dflt;
  return static_cast<DataType>(a->i);
}

void constant(InferContext& c) {
  const Node& n = c.node();
  const Attribute* found = nullptr;
  for (const Attribute& a : n.attrs())
    if (a.name.starts_with("value") || a.name == "sparse_value") found = found ? found : &a;
  if (!found) {
    c.warn("no value attribute");
    return;
  }
  const Attribute& a = *found;
  auto vec = [](size_t k) { return Shape({Dim::known(static_cast<int64_t>(k))}); };
  if (a.name == "value" && a.tensor()) {
    c.set(0, a.tensor()->dtype, Shape::of(a.tensor()->dims));
    c.set_constant(0, a.tensors[0]);
  } else if (a.name == "value_float") {
    c.set(0, DataType::Float32, Shape());
    c.set_constant(0, Tensor::from_values<float>("", DataType::Float32, {}, {a.f}));
  } else if (a.name == "value_floats") {
    c.set(0, DataType::Float32, vec(a.floats.size()));
    c.set_constant(0, Tensor::from_values<float>(
                          "", DataType::Float32, {static_cast<int64_t>(a.floats.size())}, a.floats));
  } else if (a.name == "value_int") {
    c.set(0, DataType::Int64, Shape());
    c.set_constant(0, Tensor::from_values<int64_t>("", DataType::Int64, {}, {a.i}));
  } else if (a.name == "value_ints") {
    c.set(0, DataType::Int64, vec(a.ints.size()));
    c.set_constant(0, Tensor::from_values<int64_t>(
                          "", DataType::Int64, {static_cast<int64_t>(a.ints.size())}, a.ints));
  } else if (a.name == "value_string") {
    c.set(0, DataType::String, Shape());
  } else if (a.name == "value_strings") {
    c.set(0, DataType::String, vec(a.strings.size()));
  } else if (a.name == "sparse_value" && !a.opaque.empty()) {
    onnx::SparseTensorProto sp;
    if (!sp.ParseFromString(a.opaque[0])) {
      c.warn("cannot parse 'sparse_value'");
      return;
    }
    std::vector<int64_t> dims(sp.dims().begin(), sp.dims().end());
    auto code = static_cast<int32_t>(sp.values().data_type());
    c.set(0, dtype_is_known(code) ? static_cast<DataType>(code) : DataType::Undefined, Shape::of(dims));
  } else {
    c.warn("unknown value attribute '" + a.name + "'");
  }
}

void constant_of_shape(InferContext& c) {
  const Attribute* value = c.node().attr("value");
  const Tensor* vt = value ? value->tensor() : nullptr;
  DataType dt = vt ? vt->dtype : DataType::Float32;
  const KnownInts* shape = c.ints(0);
  if (!shape) {
    auto s = shape_of_length(c.shape(0));
    c.set(0, s ? ValueType::tensor(dt, std::move(*s)) : ValueType::tensor(dt));
    return;
  }
  if (shape->scalar) {
    c.warn("the shape input must be 1-D");
    return;
  }
  Shape out;
  for (const SymInt& d : shape->v) {
    if (d.is_known() && d.value < 0) {
      c.warn("negative dim in the shape");
      return;
    }
    out.dims.push_back(d.to_dim());
  }
  // A filled 1-D integer tensor is shape data too (exporters build masks this way).
  if (out.rank() == 1 && out.dims[0].is_known() &&
      static_cast<size_t>(out.dims[0].value) <= kMaxFoldedElements &&
      (vt == nullptr || dtype_is_integer(vt->dtype))) {
    std::vector<int64_t> fill = vt ? vt->to_int64() : std::vector<int64_t>{0};
    if (fill.size() == 1 && vt)
      c.set_ints(0, KnownInts{std::vector<SymInt>(static_cast<size_t>(out.dims[0].value),
                                                  SymInt::known(fill[0])),
                              false});
  }
  c.set(0, dt, std::move(out));
}

// A scalar input of Range as a number: a constant, or an integer known by data propagation.
std::optional<double> range_arg(InferContext& c, size_t i) {
  if (auto d = c.double_values(i); d && d->size() == 1) return (*d)[0];
  if (auto k = c.int_values(i); k && k->size() == 1) return static_cast<double>((*k)[0]);
  return std::nullopt;
}

void range(InferContext& c) {
  DataType dt = c.dtype(0);
  auto start = range_arg(c, 0), limit = range_arg(c, 1), delta = range_arg(c, 2);
  if (start && limit && delta) {
    if (*delta == 0) {
      c.warn("delta is 0");
      return;
    }
    double n = std::ceil((*limit - *start) / *delta);
    auto len = size_from_double(std::max(n, 0.0));
    c.set(0, dt, Shape({len ? Dim::known(*len) : Dim::unknown()}));
    return;
  }
  // Range(0, n, 1) over a symbolic n (a dim read by Shape) has n elements.
  const KnownInts* l = c.ints(1);
  if (start && *start == 0 && delta && *delta == 1 && l && l->v.size() == 1 && l->v[0].is_symbolic()) {
    c.set(0, dt, Shape({l->v[0].to_dim()}));
    return;
  }
  c.set(0, dt, Shape({c.fresh()}));
}

void eye_like(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "dtype", c.dtype(0));
  const Shape* s = c.shape(0);
  c.set(0, s ? ValueType::tensor(dt, *s) : ValueType::tensor(dt));
}

void random(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "dtype", DataType::Float32);
  auto shape = attr_ints_opt(c.node(), "shape");
  c.set(0, shape ? ValueType::tensor(dt, Shape::of(*shape)) : ValueType::tensor(dt));
}

void random_like(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "dtype", c.dtype(0));
  const Shape* s = c.shape(0);
  c.set(0, s ? ValueType::tensor(dt, *s) : ValueType::tensor(dt));
}

void multinomial(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "dtype", DataType::Int32);
  const Shape* s = c.shape(0);
  Dim batch = s && s->rank() == 2 ? s->dims[0] : Dim::unknown();
  c.set(0, dt, Shape({batch, Dim::known(c.node().attr_int("sample_size", 1))}));
}

void window(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "output_datatype", DataType::Float32);
  const KnownInts* size = c.ints(0);
  c.set(0, dt, Shape({size && size->v.size() == 1 ? size->v[0].to_dim() : Dim::unknown()}));
}

void mel_weight_matrix(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "output_datatype", DataType::Float32);
  const KnownInts* mel = c.ints(0);
  const KnownInts* dft = c.ints(1);
  Dim bins;
  if (dft && dft->v.size() == 1 && dft->v[0].is_known()) bins = Dim::known(dft->v[0].value / 2 + 1);
  c.set(0, dt, Shape({bins, mel && mel->v.size() == 1 ? mel->v[0].to_dim() : Dim::unknown()}));
}

void dft(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in || in->rank() < 2) {
    c.set_dtype(0, dt);
    return;
  }
  auto r = static_cast<int64_t>(in->rank());
  int64_t axis_attr = 1;
  if (c.opset() >= 20) {
    axis_attr = -2;
    if (c.has_input(2)) {
      auto a = c.int_values(2);
      if (!a || a->size() != 1) {
        c.set(0, dt, Shape(std::vector<Dim>(in->rank())));
        return;
      }
      axis_attr = (*a)[0];
    }
  } else {
    axis_attr = c.node().attr_int("axis", 1);
  }
  auto axis = normalize_axis(axis_attr, r);
  if (!axis || *axis == r - 1) {
    c.warn("axis is out of range");
    return;
  }
  Shape out = *in;
  out.dims.back() = Dim::known(2);
  Dim len = in->dims[static_cast<size_t>(*axis)];
  if (c.has_input(1)) {
    const KnownInts* k = c.ints(1);
    len = k && k->v.size() == 1 ? k->v[0].to_dim() : Dim::unknown();
  }
  if (c.node().attr_int("onesided", 0) != 0)
    len = len.is_known() ? Dim::known(len.value / 2 + 1) : Dim::unknown();
  out.dims[static_cast<size_t>(*axis)] = len;
  c.set(0, dt, std::move(out));
}

void stft(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* sig = c.shape(0);
  const KnownInts* step = c.ints(1);
  const KnownInts* length = c.ints(3);
  Dim batch, frames, bins;
  if (sig && sig->rank() == 3) batch = sig->dims[0];
  Dim frame_len;
  if (length && length->v.size() == 1) {
    frame_len = length->v[0].to_dim();
  } else if (const Shape* w = c.shape(2); w && w->rank() == 1) {
    frame_len = w->dims[0];
  }
  if (sig && sig->rank() == 3 && sig->dims[1].is_known() && frame_len.is_known() && step &&
      step->v.size() == 1 && step->v[0].is_known() && step->v[0].value > 0)
    frames = wide_dim((Wide(sig->dims[1].value) - frame_len.value) / step->v[0].value + 1);
  if (frame_len.is_known())
    bins = Dim::known(c.node().attr_int("onesided", 1) ? frame_len.value / 2 + 1 : frame_len.value);
  c.set(0, dt, Shape({batch, frames, bins, Dim::known(2)}));
}

void non_max_suppression(InferContext& c) {
  c.set(0, DataType::Int64, Shape({c.fresh(), Dim::known(3)}));
}

void bernoulli(InferContext& c) {
  DataType dt = dtype_attr(c.node(), "dtype", c.dtype(0));
  const Shape* s = c.shape(0);
  c.set(0, s ? ValueType::tensor(dt, *s) : ValueType::tensor(dt));
}

// Output of strings left after filtering stop words: a new, data-dependent length.
void string_normalizer(InferContext& c) {
  const Shape* in = c.shape(0);
  if (!in || (in->rank() != 1 && in->rank() != 2)) {
    c.set_dtype(0, DataType::String);
    return;
  }
  Shape out = *in;
  out.dims.back() = c.fresh();
  c.set(0, DataType::String, std::move(out));
}

void tfidf_vectorizer(InferContext& c) {
  const Shape* in = c.shape(0);
  auto indexes = c.node().attr_ints("ngram_indexes");
  Dim width;
  if (!indexes.empty()) width = wide_dim(Wide(*std::max_element(indexes.begin(), indexes.end())) + 1);
  if (!in || (in->rank() != 1 && in->rank() != 2)) {
    c.set_dtype(0, DataType::Float32);
    return;
  }
  c.set(0, DataType::Float32, in->rank() == 1 ? Shape({width}) : Shape({in->dims[0], width}));
}

// Training optimizers (Adagrad, Adam, Momentum): inputs R, T, then groups of n tensors (X, G and
// the optimizer's state); outputs are the new X and the new state groups, each typed like its input
// group. The gradient group G has no output.
void optimizer(InferContext& c) {
  size_t in_groups = c.node().op_type == "Adam" ? 4 : 3;
  size_t out_groups = in_groups - 1;
  if (c.num_inputs() < 2 || (c.num_inputs() - 2) % in_groups != 0) {
    c.warn("inputs do not form complete groups");
    return;
  }
  size_t n = (c.num_inputs() - 2) / in_groups;
  if (c.num_outputs() != n * out_groups) {
    c.warn("outputs do not form complete groups");
    return;
  }
  for (size_t g = 0; g < out_groups; ++g)
    for (size_t i = 0; i < n; ++i) copy_input_type(c, 2 + (g == 0 ? 0 : g + 1) * n + i, g * n + i);
}

// Gradient: output i is the gradient of the value named xs[i], so it has that value's type.
void gradient(InferContext& c) {
  const Attribute* xs = c.node().attr("xs");
  if (!xs) {
    c.warn("attribute 'xs' is missing");
    return;
  }
  for (size_t i = 0; i < xs->strings.size() && i < c.num_outputs(); ++i)
    if (const Value* v = c.node().graph()->find_value(xs->strings[i])) c.set(i, v->type);
}

}  // namespace

void add_misc_rules(RuleTable& t) {
  t.add("Constant", 1, constant);
  t.add("ConstantOfShape", 9, constant_of_shape);
  t.add("Range", 11, range);
  t.add("EyeLike", 9, eye_like);
  t.add("RandomNormal", 1, random);
  t.add("RandomUniform", 1, random);
  t.add("RandomNormalLike", 1, random_like);
  t.add("RandomUniformLike", 1, random_like);
  t.add("Multinomial", 7, multinomial);
  t.add("Bernoulli", 15, bernoulli);
  t.add("HannWindow", 17, window);
  t.add("HammingWindow", 17, window);
  t.add("BlackmanWindow", 17, window);
  t.add("MelWeightMatrix", 17, mel_weight_matrix);
  t.add("DFT", 17, dft);
  t.add("STFT", 17, stft);
  t.add("NonMaxSuppression", 10, non_max_suppression);
  t.add("StringNormalizer", 10, string_normalizer);
  t.add("TfIdfVectorizer", 9, tfidf_vectorizer);
  for (auto op : {"Adagrad", "Adam", "Momentum"})
    t.add(op, 1, optimizer, kOpsetOpen, "ai.onnx.preview.training");
  t.add("Gradient", 1, gradient, kOpsetOpen, "ai.onnx.preview.training");
}

}  // namespace kiln::analysis
