// Reference bindings for gather/scatter style ops: Gather, GatherElements, GatherND, ScatterND,
// ScatterElements (and the older Scatter), OneHot, NonZero, Compress, Unique, ReverseSequence.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/runtime/bind/tensor_common.h"
#include "kernels/cpu/ref/indexing.h"

namespace kiln::bind {
namespace {

// Indices read as int64 and wrapped into [0, dim); out-of-range ones are errors.
std::vector<int64_t> norm_indices(const RtTensor& t, int64_t dim, const std::string& who) {
  std::vector<int64_t> idx = read_int64s(t, who);
  for (int64_t& i : idx) {
    if (i < -dim || i >= dim) fail(who, ": index ", std::to_string(i), " is out of range for a dim of ", std::to_string(dim));
    if (i < 0) i += dim;
  }
  return idx;
}

void gather_into(const RtTensor& in, int64_t axis, const std::vector<int64_t>& idx,
                 std::vector<int64_t> shape, KernelContext& ctx, const std::string& who) {
  const auto a = static_cast<size_t>(axis);
  const int64_t outer = product(in.shape(), 0, a), inner = product(in.shape(), a + 1);
  RtTensor& out = ctx.output(0, in.dtype(), std::move(shape));
  if (out.numel() == 0) return;
  const auto n = static_cast<int64_t>(idx.size());
  if (in.dtype() == DataType::String)
    ref::gather(in.strings().data(), outer, in.dim(a), inner, idx.data(), n, out.strings().data());
  else
    ref::gather(in.raw(), outer, in.dim(a), inner, idx.data(), n, out.raw(), elem_size(in.dtype(), who));
}

ComputeFn make_gather(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 0);
  return [who, axis](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const RtTensor& it = need(ctx, 1, who);
    const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(in.rank()), who));
    const std::vector<int64_t> idx = norm_indices(it, in.dim(a), who);
    std::vector<int64_t> shape(in.shape().begin(), in.shape().begin() + static_cast<std::ptrdiff_t>(a));
    shape.insert(shape.end(), it.shape().begin(), it.shape().end());
    shape.insert(shape.end(), in.shape().begin() + static_cast<std::ptrdiff_t>(a) + 1, in.shape().end());
    gather_into(in, static_cast<int64_t>(a), idx, std::move(shape), ctx, who);
  };
}

ComputeFn make_compress(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const Attribute* axis_a = init.node.attr("axis");
  const bool has_axis = axis_a != nullptr;
  const int64_t axis = has_axis ? axis_a->i : 0;
  return [=](KernelContext& ctx) {
    const RtTensor& given = need(ctx, 0, who);
    const std::vector<int64_t> cond = read_int64s(need(ctx, 1, who), who);
    // Without an axis Compress works on the flattened input.
    RtTensor flat;
    if (!has_axis) {
      flat = RtTensor::allocate(given.dtype(), {given.numel()});
      copy_elements(given, flat);
    }
    const RtTensor& in = has_axis ? given : flat;
    const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(in.rank()), who));
    if (static_cast<int64_t>(cond.size()) > in.dim(a))
      fail(who, ": condition has ", std::to_string(cond.size()), " entries for a dim of ", std::to_string(in.dim(a)));
    std::vector<int64_t> idx;
    for (size_t i = 0; i < cond.size(); ++i)
      if (cond[i]) idx.push_back(static_cast<int64_t>(i));
    std::vector<int64_t> shape = in.shape();
    shape[a] = static_cast<int64_t>(idx.size());
    gather_into(in, static_cast<int64_t>(a), idx, std::move(shape), ctx, who);
  };
}

ComputeFn make_gather_elements(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", 0);
  return [who, axis](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const RtTensor& it = need(ctx, 1, who);
    const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(in.rank()), who));
    if (it.rank() != in.rank()) fail(who, ": indices rank ", std::to_string(it.rank()), " differs from data rank ", std::to_string(in.rank()));
    const std::vector<int64_t> idx = norm_indices(it, in.dim(a), who);
    RtTensor& out = ctx.output(0, in.dtype(), it.shape());
    if (out.numel() == 0) return;
    if (in.dtype() == DataType::String) fail_unsupported(who, ": string data is not supported");
    ref::gather_elements(in.raw(), in.shape(), idx.data(), it.shape(), static_cast<int64_t>(a), out.raw(), elem_size(in.dtype(), who));
  };
}

// Shared by GatherND and ScatterND: validated, wrapped index tuples and the element strides of
// the dims they address.
struct NdIndex {
  std::vector<int64_t> idx;
  std::vector<int64_t> strides;  // of the k indexed dims, within one batch block
  int64_t k = 0;
  int64_t slice = 1;  // elements per selected slice
};

NdIndex nd_index(const RtTensor& data, const RtTensor& it, int64_t batch_dims, const std::string& who) {
  NdIndex r;
  if (it.rank() == 0) fail(who, ": indices must have rank >= 1");
  r.k = it.dim(it.rank() - 1);
  const auto b = static_cast<size_t>(batch_dims);
  if (r.k < 1 || b + static_cast<size_t>(r.k) > data.rank())
    fail(who, ": index tuples of length ", std::to_string(r.k), " do not fit data ", shape_str(data.shape()));
  r.idx = read_int64s(it, who);
  const std::vector<int64_t> st = dense_strides(data.shape());
  for (int64_t t = 0; t < r.k; ++t) r.strides.push_back(st[b + static_cast<size_t>(t)]);
  for (size_t i = 0; i < r.idx.size(); ++i) {
    const int64_t dim = data.dim(b + i % static_cast<size_t>(r.k));
    int64_t& v = r.idx[i];
    if (v < -dim || v >= dim) fail(who, ": index ", std::to_string(v), " is out of range for a dim of ", std::to_string(dim));
    if (v < 0) v += dim;
  }
  r.slice = product(data.shape(), b + static_cast<size_t>(r.k));
  return r;
}

ComputeFn make_gather_nd(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t batch_dims = init.node.attr_int("batch_dims", 0);
  return [who, batch_dims](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const RtTensor& it = need(ctx, 1, who);
    const auto b = static_cast<size_t>(batch_dims);
    if (batch_dims < 0 || b >= it.rank() || b >= in.rank()) fail(who, ": batch_dims ", std::to_string(batch_dims), " is out of range");
    for (size_t d = 0; d < b; ++d)
      if (in.dim(d) != it.dim(d)) fail(who, ": batch dims of data ", shape_str(in.shape()), " and indices ", shape_str(it.shape()), " differ");
    const NdIndex nd = nd_index(in, it, batch_dims, who);
    std::vector<int64_t> shape(it.shape().begin(), it.shape().end() - 1);
    shape.insert(shape.end(), in.shape().begin() + static_cast<std::ptrdiff_t>(b + static_cast<size_t>(nd.k)), in.shape().end());
    RtTensor& out = ctx.output(0, in.dtype(), shape);
    if (out.numel() == 0) return;
    if (in.dtype() == DataType::String) fail_unsupported(who, ": string data is not supported");
    const int64_t batches = product(in.shape(), 0, b);
    const int64_t block = product(in.shape(), b);
    const int64_t per_batch = product(it.shape(), b, it.rank() - 1);
    ref::gather_nd(in.raw(), batches, block, nd.idx.data(), per_batch, nd.strides, nd.slice, out.raw(), elem_size(in.dtype(), who));
  };
}

ref::Reduction reduction_of(const Node& n, const std::string& who) {
  const std::string s = n.attr_string("reduction", "none");
  if (s == "none") return ref::Reduction::None;
  if (s == "add") return ref::Reduction::Add;
  if (s == "mul") return ref::Reduction::Mul;
  if (s == "max") return ref::Reduction::Max;
  if (s == "min") return ref::Reduction::Min;
  fail(who, ": unknown reduction '", s, "'");
}

// Calls f(T*) with the C++ type of dt, for the types the scatter kernels are built for.
template <class F>
void scatter_dispatch(DataType dt, ref::Reduction red, const std::string& who, F&& f) {
  if (red == ref::Reduction::None && dt != DataType::String) {
    // Without a reduction values are only moved: go by element size.
    switch (elem_size(dt, who)) {
      case 1: return f(static_cast<uint8_t*>(nullptr));
      case 2: return f(static_cast<uint16_t*>(nullptr));
      case 4: return f(static_cast<uint32_t*>(nullptr));
      case 8: return f(static_cast<uint64_t*>(nullptr));
      default: break;
    }
  }
  switch (dt) {
    case DataType::Float32: return f(static_cast<float*>(nullptr));
    case DataType::Float64: return f(static_cast<double*>(nullptr));
    case DataType::Int8: return f(static_cast<int8_t*>(nullptr));
    case DataType::UInt8: return f(static_cast<uint8_t*>(nullptr));
    case DataType::Int16: return f(static_cast<int16_t*>(nullptr));
    case DataType::UInt16: return f(static_cast<uint16_t*>(nullptr));
    case DataType::Int32: return f(static_cast<int32_t*>(nullptr));
    case DataType::UInt32: return f(static_cast<uint32_t*>(nullptr));
    case DataType::Int64: return f(static_cast<int64_t*>(nullptr));
    case DataType::UInt64: return f(static_cast<uint64_t*>(nullptr));
    case DataType::String:
      if (red == ref::Reduction::None) return f(static_cast<std::string*>(nullptr));
      break;
    default: break;
  }
  fail_unsupported(who, ": element type ", std::string(dtype_name(dt)), " is not supported with this reduction");
}

template <class T>
T* elems(RtTensor& t) {
  if constexpr (std::is_same_v<T, std::string>) return t.strings().data();
  else return t.data<T>();
}
template <class T>
const T* elems(const RtTensor& t) {
  if constexpr (std::is_same_v<T, std::string>) return t.strings().data();
  else return t.data<T>();
}

ComputeFn make_scatter_nd(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const ref::Reduction red = reduction_of(init.node, who);
  return [who, red](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const RtTensor& it = need(ctx, 1, who);
    const RtTensor& up = need(ctx, 2, who);
    const NdIndex nd = nd_index(in, it, 0, who);
    std::vector<int64_t> want(it.shape().begin(), it.shape().end() - 1);
    want.insert(want.end(), in.shape().begin() + nd.k, in.shape().end());
    if (up.shape() != want || up.dtype() != in.dtype())
      fail(who, ": updates ", shape_str(up.shape()), " do not match the expected ", shape_str(want));
    RtTensor& out = ctx.output(0, in.dtype(), in.shape());
    copy_elements(in, out);
    const int64_t n = product(it.shape(), 0, it.rank() - 1);
    scatter_dispatch(in.dtype(), red, who, [&]<class T>(T*) {
      ref::scatter_nd(elems<T>(out), nd.idx.data(), n, nd.strides, elems<T>(up), nd.slice, red);
    });
  };
}

ComputeFn make_scatter_elements(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const ref::Reduction red = reduction_of(init.node, who);
  const int64_t axis = init.node.attr_int("axis", 0);
  return [who, red, axis](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    const RtTensor& it = need(ctx, 1, who);
    const RtTensor& up = need(ctx, 2, who);
    const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(in.rank()), who));
    if (it.rank() != in.rank() || up.shape() != it.shape() || up.dtype() != in.dtype())
      fail(who, ": indices ", shape_str(it.shape()), " and updates ", shape_str(up.shape()), " must match and have the data's rank");
    const std::vector<int64_t> idx = norm_indices(it, in.dim(a), who);
    RtTensor& out = ctx.output(0, in.dtype(), in.shape());
    copy_elements(in, out);
    if (it.numel() == 0) return;
    scatter_dispatch(in.dtype(), red, who, [&]<class T>(T*) {
      ref::scatter_elements(elems<T>(out), in.shape(), idx.data(), it.shape(), static_cast<int64_t>(a), elems<T>(up), red);
    });
  };
}

ComputeFn make_one_hot(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t axis = init.node.attr_int("axis", -1);
  return [who, axis](KernelContext& ctx) {
    const RtTensor& it = need(ctx, 0, who);
    const double depth_d = read_doubles(need(ctx, 1, who), who).at(0);
    const RtTensor& values = need(ctx, 2, who);
    if (values.numel() != 2) fail(who, ": values must hold [off_value, on_value]");
    const auto depth = static_cast<int64_t>(depth_d);
    if (depth < 1) fail(who, ": depth ", std::to_string(depth), " must be positive");
    const auto out_rank = static_cast<int64_t>(it.rank() + 1);
    const auto a = static_cast<size_t>(norm_axis(axis, out_rank, who));
    // Indices may be of any numeric type; negative ones count from depth.
    std::vector<int64_t> idx;
    for (double v : read_doubles(it, who)) {
      auto i = static_cast<int64_t>(v);
      if (i < 0) i += depth;
      idx.push_back(i >= 0 && i < depth ? i : -1);
    }
    std::vector<int64_t> shape = it.shape();
    shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(a), depth);
    RtTensor& out = ctx.output(0, values.dtype(), shape);
    if (out.numel() == 0) return;
    const size_t es = elem_size(values.dtype(), who);
    if (es == 0) fail_unsupported(who, ": string values are not supported");
    const auto* v = static_cast<const uint8_t*>(values.raw());
    ref::one_hot(idx.data(), product(it.shape(), 0, a), depth, product(it.shape(), a), v, v + es, out.raw(), es);
  };
}

ComputeFn make_nonzero(const KernelInit& init) {
  const std::string who = node_label(init.node);
  return [who](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    std::vector<uint8_t> flags(static_cast<size_t>(in.numel()));
    if (in.dtype() == DataType::String) {
      for (size_t i = 0; i < flags.size(); ++i) flags[i] = !in.strings()[i].empty();
    } else {
      const std::vector<double> v = read_doubles(in, who);
      for (size_t i = 0; i < flags.size(); ++i) flags[i] = v[i] != 0;
    }
    int64_t nnz = 0;
    for (uint8_t f : flags) nnz += f;
    RtTensor& out = ctx.output(0, DataType::Int64, {static_cast<int64_t>(in.rank()), nnz});
    if (out.numel() == 0) return;
    ref::nonzero_coords(flags.data(), in.shape(), nnz, out.data<int64_t>());
  };
}


ComputeFn make_unique(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const Attribute* axis_a = init.node.attr("axis");
  const bool has_axis = axis_a != nullptr;
  const int64_t axis = has_axis ? axis_a->i : 0;
  const bool sorted = init.node.attr_int("sorted", 1) != 0;
  return [=](KernelContext& ctx) {
    const RtTensor& given = need(ctx, 0, who);
    if (given.dtype() == DataType::String) fail_unsupported(who, ": string data is not supported");
    // Without an axis Unique works on the flattened input, element by element.
    RtTensor flat;
    if (!has_axis) {
      flat = RtTensor::allocate(given.dtype(), {given.numel()});
      copy_elements(given, flat);
    }
    const RtTensor& in = has_axis ? given : flat;
    const auto a = static_cast<size_t>(norm_axis(axis, static_cast<int64_t>(in.rank()), who));
    const int64_t n = in.dim(a), outer = product(in.shape(), 0, a), inner = product(in.shape(), a + 1);
    // Slice j along the axis as a key of outer * inner values.
    const std::vector<double> v = read_doubles(in, who);
    std::vector<std::vector<double>> keys(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j)
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) keys[static_cast<size_t>(j)].push_back(v[static_cast<size_t>((o * n + j) * inner + i)]);
    std::vector<int64_t> first;  // first occurrence of each distinct slice, in input order
    std::vector<int64_t> inverse(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      size_t u = 0;
      while (u < first.size() && keys[static_cast<size_t>(first[u])] != keys[static_cast<size_t>(j)]) ++u;
      if (u == first.size()) first.push_back(j);
      inverse[static_cast<size_t>(j)] = static_cast<int64_t>(u);
    }
    std::vector<size_t> order(first.size());
    for (size_t u = 0; u < order.size(); ++u) order[u] = u;
    if (sorted)
      std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        return keys[static_cast<size_t>(first[x])] < keys[static_cast<size_t>(first[y])];
      });
    std::vector<int64_t> rank_of(order.size()), picked(order.size()), counts(order.size(), 0);
    for (size_t r = 0; r < order.size(); ++r) rank_of[order[r]] = static_cast<int64_t>(r), picked[r] = first[order[r]];
    for (int64_t& u : inverse) u = rank_of[static_cast<size_t>(u)], ++counts[static_cast<size_t>(u)];
    std::vector<int64_t> shape = in.shape();
    shape[a] = static_cast<int64_t>(picked.size());
    gather_into(in, static_cast<int64_t>(a), picked, std::move(shape), ctx, who);
    auto emit = [&](size_t i, const std::vector<int64_t>& vals) {
      if (i >= ctx.output_count() || !ctx.output_wanted(i)) return;
      RtTensor& t = ctx.output(i, DataType::Int64, {static_cast<int64_t>(vals.size())});
      std::copy(vals.begin(), vals.end(), t.data<int64_t>());
    };
    emit(1, picked);
    emit(2, inverse);
    emit(3, counts);
  };
}


ComputeFn make_reverse_sequence(const KernelInit& init) {
  const std::string who = node_label(init.node);
  const int64_t time_axis = init.node.attr_int("time_axis", 0);
  const int64_t batch_axis = init.node.attr_int("batch_axis", 1);
  if (!((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0)))
    fail(who, ": time_axis and batch_axis must be 0 and 1 in some order");
  return [=](KernelContext& ctx) {
    const RtTensor& in = need(ctx, 0, who);
    if (in.rank() < 2) fail(who, ": input must have rank >= 2, got ", shape_str(in.shape()));
    const std::vector<int64_t> lens = read_int64s(need(ctx, 1, who), who);
    const auto ta = static_cast<size_t>(time_axis), ba = static_cast<size_t>(batch_axis);
    const int64_t steps = in.dim(ta), batch = in.dim(ba);
    if (static_cast<int64_t>(lens.size()) != batch) fail(who, ": sequence_lens has ", std::to_string(lens.size()), " entries for a batch of ", std::to_string(batch));
    // Each (time, batch) pair owns one contiguous block of the trailing dims; reversal permutes
    // the time index of each batch's first len blocks, which is a gather of block indices.
    const int64_t block = product(in.shape(), 2);
    std::vector<int64_t> src_block(static_cast<size_t>(steps * batch));
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = lens[static_cast<size_t>(b)];
      if (len < 0 || len > steps) fail(who, ": sequence length ", std::to_string(len), " is out of range [0, ", std::to_string(steps), "]");
      for (int64_t t = 0; t < steps; ++t) {
        const int64_t from = t < len ? len - 1 - t : t;
        const auto at = [&](int64_t tt) { return ta == 0 ? tt * batch + b : b * steps + tt; };
        src_block[static_cast<size_t>(at(t))] = at(from);
      }
    }
    RtTensor& out = ctx.output(0, in.dtype(), in.shape());
    if (out.numel() == 0) return;
    const auto n = static_cast<int64_t>(src_block.size());
    if (in.dtype() == DataType::String)
      ref::gather(in.strings().data(), 1, n, block, src_block.data(), n, out.strings().data());
    else
      ref::gather(in.raw(), 1, n, block, src_block.data(), n, out.raw(), elem_size(in.dtype(), who));
  };
}

}  // namespace

void register_tensor_indexing_kernels(KernelRegistry& r) {
  add_ref(r, "Gather", 1, 1000, make_gather);
  add_ref(r, "Compress", 9, 1000, make_compress);
  add_ref(r, "GatherElements", 11, 1000, make_gather_elements);
  add_ref(r, "GatherND", 11, 1000, make_gather_nd);
  add_ref(r, "ScatterND", 11, 1000, make_scatter_nd);
  add_ref(r, "ScatterElements", 11, 1000, make_scatter_elements);
  add_ref(r, "Scatter", 9, 10, make_scatter_elements);
  add_ref(r, "OneHot", 9, 1000, make_one_hot);
  add_ref(r, "NonZero", 9, 1000, make_nonzero);
  add_ref(r, "Unique", 11, 1000, make_unique);
  add_ref(r, "ReverseSequence", 10, 1000, make_reverse_sequence);
}

}  // namespace kiln::bind
