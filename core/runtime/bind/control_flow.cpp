// If, Loop and Scan: the node's bodies run through KernelContext::run_subgraph, which resolves
// the values they capture from enclosing scopes. Bodies hand back their own tensors; results are
// copied into this node's outputs so they never alias a body's (or the arena's) memory.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "core/runtime/kernel.h"
#include "core/util/error.h"

namespace kiln {
namespace {

std::string node_name(const Node& n) { return n.name.empty() ? n.op_type : "'" + n.name + "' (" + n.op_type + ")"; }

const Graph& body_attr(const Node& n, const char* name) {
  const Attribute* a = n.attr(name);
  if (!a || !a->graph()) fail(node_name(n), ": attribute '", name, "' (a graph) is missing");
  return *a->graph();
}

size_t elem_bytes(const Node& n, DataType dt) {
  int bits = dtype_bits(dt);
  if (dt != DataType::String && (bits <= 0 || bits % 8)) fail_unsupported(node_name(n), ": element type ", dtype_name(dt), " is not supported");
  return dt == DataType::String ? 0 : static_cast<size_t>(bits / 8);
}

int64_t product(const std::vector<int64_t>& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

// Copies `count` consecutive elements from src (starting at element s) to dst (starting at d).
void copy_elems(RtTensor& dst, int64_t d, const RtTensor& src, int64_t s, int64_t count, size_t es) {
  if (count <= 0) return;
  if (src.dtype() == DataType::String) {
    std::copy_n(src.strings().begin() + s, count, dst.strings().begin() + d);
    return;
  }
  std::memcpy(static_cast<uint8_t*>(dst.raw()) + d * es, static_cast<const uint8_t*>(src.raw()) + s * es,
              static_cast<size_t>(count) * es);
}

void copy_to_output(KernelContext& ctx, const Node& n, size_t i, const RtTensor& src) {
  if (i >= ctx.output_count() || !ctx.output_wanted(i)) return;
  RtTensor& dst = ctx.output(i, src.dtype(), src.shape());
  copy_elems(dst, 0, src, 0, src.numel(), elem_bytes(n, src.dtype()));
}

bool truth(const Node& n, const RtTensor* t, const char* what) {
  if (!t || t->numel() != 1) fail(node_name(n), ": ", what, " must hold exactly one element");
  switch (t->dtype()) {
    case DataType::Bool:
    case DataType::UInt8:
    case DataType::Int8: return *t->data<uint8_t>() != 0;
    case DataType::Int32: return *t->data<int32_t>() != 0;
    case DataType::Int64: return *t->data<int64_t>() != 0;
    case DataType::Float32: return *t->data<float>() != 0.f;
    default: fail_unsupported(node_name(n), ": ", what, " has unsupported type ", dtype_name(t->dtype()));
  }
}

RtTensor scalar_i64(int64_t v) {
  RtTensor t = RtTensor::allocate(DataType::Int64, {});
  *t.data<int64_t>() = v;
  return t;
}

RtTensor scalar_bool(bool v) {
  RtTensor t = RtTensor::allocate(DataType::Bool, {});
  *t.data<uint8_t>() = v ? 1 : 0;
  return t;
}

// Stacks equally shaped slices (at least one) along a new axis `axis`; slice t goes to position
// t, or to len-1-t when reversed.
RtTensor stack(const Node& n, const std::vector<RtTensor>& slices, int64_t axis, bool reverse) {
  const RtTensor& first = slices.front();
  int64_t rank = static_cast<int64_t>(first.rank());
  if (axis < 0) axis += rank + 1;
  if (axis < 0 || axis > rank) fail(node_name(n), ": scan output axis out of range");
  for (const RtTensor& s : slices)
    if (s.shape() != first.shape() || s.dtype() != first.dtype())
      fail(node_name(n), ": a scan output changes shape or type between iterations");
  std::vector<int64_t> shape = first.shape();
  int64_t len = static_cast<int64_t>(slices.size());
  shape.insert(shape.begin() + axis, len);
  RtTensor dst = RtTensor::allocate(first.dtype(), shape);
  size_t es = elem_bytes(n, first.dtype());
  int64_t outer = product(first.shape(), 0, static_cast<size_t>(axis));
  int64_t inner = product(first.shape(), static_cast<size_t>(axis), first.rank());
  for (int64_t t = 0; t < len; ++t) {
    int64_t p = reverse ? len - 1 - t : t;
    for (int64_t o = 0; o < outer; ++o) copy_elems(dst, (o * len + p) * inner, slices[t], o * inner, inner, es);
  }
  return dst;
}

// Element `index` of src along `axis` (that axis removed).
RtTensor slice(const Node& n, const RtTensor& src, int64_t axis, int64_t index) {
  std::vector<int64_t> shape = src.shape();
  int64_t len = shape[static_cast<size_t>(axis)];
  shape.erase(shape.begin() + axis);
  RtTensor dst = RtTensor::allocate(src.dtype(), shape);
  size_t es = elem_bytes(n, src.dtype());
  int64_t outer = product(src.shape(), 0, static_cast<size_t>(axis));
  int64_t inner = product(src.shape(), static_cast<size_t>(axis) + 1, src.rank());
  for (int64_t o = 0; o < outer; ++o) copy_elems(dst, o * inner, src, (o * len + index) * inner, inner, es);
  return dst;
}

// Stacks equally shaped slices along a new axis `axis` (slice t goes to position t, or to
// len-1-t when reversed) into output i.
void stack_output(KernelContext& ctx, const Node& n, size_t i, const std::vector<RtTensor>& slices,
                  int64_t axis, bool reverse, const Value* declared) {
  if (slices.empty()) {
    std::vector<int64_t> shape{0};
    DataType dt = DataType::Float32;
    if (declared && declared->type.is_tensor()) {
      if (declared->type.dtype != DataType::Undefined) dt = declared->type.dtype;
      if (declared->type.shape && declared->type.shape->rank() > 0) {
        shape = declared->type.shape->values();
        for (int64_t& d : shape) d = std::max<int64_t>(d, 0);
        shape[static_cast<size_t>(std::clamp<int64_t>(axis, 0, static_cast<int64_t>(shape.size()) - 1))] = 0;
      }
    }
    ctx.output(i, dt, shape);
    return;
  }
  copy_to_output(ctx, n, i, stack(n, slices, axis, reverse));
}

class IfKernel : public OpKernel {
 public:
  explicit IfKernel(const Node& n)
      : node_(n), then_(body_attr(n, "then_branch")), else_(body_attr(n, "else_branch")) {}
  void compute(KernelContext& ctx) override {
    const Graph& body = truth(node_, ctx.input(0), "the condition") ? then_ : else_;
    std::vector<RtTensor> outs = ctx.run_subgraph(body, {});
    if (outs.size() != ctx.output_count())
      fail(node_name(node_), ": branch '", body.name, "' returns ", std::to_string(outs.size()), " values, the node has ",
           std::to_string(ctx.output_count()), " outputs");
    for (size_t i = 0; i < outs.size(); ++i) copy_to_output(ctx, node_, i, outs[i]);
  }

 private:
  const Node& node_;
  const Graph& then_;
  const Graph& else_;
};

class LoopKernel : public OpKernel {
 public:
  explicit LoopKernel(const Node& n) : node_(n), body_(body_attr(n, "body")) {}
  void compute(KernelContext& ctx) override {
    const RtTensor* m = ctx.input(0);
    int64_t max_trips = std::numeric_limits<int64_t>::max();
    if (m && !m->empty()) {
      if (m->numel() != 1 || m->dtype() != DataType::Int64) fail(node_name(node_), ": M must be an int64 scalar");
      max_trips = *m->data<int64_t>();
    }
    const RtTensor* c = ctx.input(1);
    bool cond = c && !c->empty() ? truth(node_, c, "cond") : true;
    size_t n_carried = ctx.input_count() > 2 ? ctx.input_count() - 2 : 0;
    std::vector<RtTensor> carried;
    for (size_t i = 0; i < n_carried; ++i) {
      const RtTensor* t = ctx.input(2 + i);
      if (!t) fail(node_name(node_), ": loop-carried input ", std::to_string(i), " is missing");
      carried.push_back(*t);
    }
    if (body_.outputs().size() < 1 + n_carried)
      fail(node_name(node_), ": the body returns fewer values than condition + loop-carried ones");
    size_t n_scan = body_.outputs().size() - 1 - n_carried;
    std::vector<std::vector<RtTensor>> scans(n_scan);
    for (int64_t it = 0; it < max_trips && cond; ++it) {
      std::vector<RtTensor> in;
      in.reserve(2 + n_carried);
      in.push_back(scalar_i64(it));
      in.push_back(scalar_bool(cond));
      for (RtTensor& t : carried) in.push_back(t);
      std::vector<RtTensor> out = ctx.run_subgraph(body_, in);
      cond = truth(node_, &out[0], "the body's condition output");
      for (size_t i = 0; i < n_carried; ++i) carried[i] = std::move(out[1 + i]);
      for (size_t k = 0; k < n_scan; ++k) scans[k].push_back(std::move(out[1 + n_carried + k]));
    }
    for (size_t i = 0; i < n_carried && i < ctx.output_count(); ++i) copy_to_output(ctx, node_, i, carried[i]);
    for (size_t k = 0; k < n_scan && n_carried + k < ctx.output_count(); ++k)
      stack_output(ctx, node_, n_carried + k, scans[k], 0, false, node_.output(n_carried + k));
  }

 private:
  const Node& node_;
  const Graph& body_;
};

class ScanKernel : public OpKernel {
 public:
  explicit ScanKernel(const Node& n) : node_(n), body_(body_attr(n, "body")) {
    num_scan_inputs_ = n.attr_int("num_scan_inputs", -1);
    if (num_scan_inputs_ < 1) fail(node_name(n), ": attribute 'num_scan_inputs' must be at least 1");
    in_axes_ = n.attr_ints("scan_input_axes");
    in_dirs_ = n.attr_ints("scan_input_directions");
    out_axes_ = n.attr_ints("scan_output_axes");
    out_dirs_ = n.attr_ints("scan_output_directions");
  }

  void compute(KernelContext& ctx) override {
    size_t m = static_cast<size_t>(num_scan_inputs_);
    if (ctx.input_count() < m) fail(node_name(node_), ": fewer inputs than num_scan_inputs");
    size_t n_state = ctx.input_count() - m;
    int64_t len = -1;
    std::vector<int64_t> axes(m, 0);
    for (size_t j = 0; j < m; ++j) {
      const RtTensor* t = ctx.input(n_state + j);
      if (!t) fail(node_name(node_), ": scan input ", std::to_string(j), " is missing");
      int64_t a = j < in_axes_.size() ? in_axes_[j] : 0;
      int64_t rank = static_cast<int64_t>(t->rank());
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) fail(node_name(node_), ": scan_input_axes[", std::to_string(j), "] out of range");
      axes[j] = a;
      if (len >= 0 && t->dim(static_cast<size_t>(a)) != len)
        fail(node_name(node_), ": scan inputs have different sequence lengths");
      len = t->dim(static_cast<size_t>(a));
    }
    std::vector<RtTensor> state;
    for (size_t i = 0; i < n_state; ++i) {
      if (!ctx.input(i)) fail(node_name(node_), ": state input ", std::to_string(i), " is missing");
      state.push_back(*ctx.input(i));
    }
    size_t n_out = body_.outputs().size();
    if (n_out < n_state) fail(node_name(node_), ": the body returns fewer values than there are states");
    size_t k_out = n_out - n_state;
    std::vector<std::vector<RtTensor>> scans(k_out);
    for (int64_t t = 0; t < len; ++t) {
      std::vector<RtTensor> in = state;
      for (size_t j = 0; j < m; ++j) {
        bool rev = j < in_dirs_.size() && in_dirs_[j] == 1;
        in.push_back(slice(node_, *ctx.input(n_state + j), axes[j], rev ? len - 1 - t : t));
      }
      std::vector<RtTensor> out = ctx.run_subgraph(body_, in);
      for (size_t i = 0; i < n_state; ++i) state[i] = std::move(out[i]);
      for (size_t k = 0; k < k_out; ++k) scans[k].push_back(std::move(out[n_state + k]));
    }
    for (size_t i = 0; i < n_state && i < ctx.output_count(); ++i) copy_to_output(ctx, node_, i, state[i]);
    for (size_t k = 0; k < k_out && n_state + k < ctx.output_count(); ++k) {
      int64_t axis = k < out_axes_.size() ? out_axes_[k] : 0;
      bool rev = k < out_dirs_.size() && out_dirs_[k] == 1;
      stack_output(ctx, node_, n_state + k, scans[k], axis, rev, node_.output(n_state + k));
    }
  }

 private:
  const Node& node_;
  const Graph& body_;
  int64_t num_scan_inputs_ = 0;
  std::vector<int64_t> in_axes_, in_dirs_, out_axes_, out_dirs_;
};

// Scan as of opset 8: a leading batch axis on every state and scan input, an optional
// sequence_lens first input (only full-length sequences are supported), the scan axis right
// after the batch axis, and one 'directions' attribute for the scan inputs.
class Scan8Kernel : public OpKernel {
 public:
  explicit Scan8Kernel(const Node& n) : node_(n), body_(body_attr(n, "body")) {
    num_scan_inputs_ = n.attr_int("num_scan_inputs", -1);
    if (num_scan_inputs_ < 1) fail(node_name(n), ": attribute 'num_scan_inputs' must be at least 1");
    dirs_ = n.attr_ints("directions");
  }

  void compute(KernelContext& ctx) override {
    size_t m = static_cast<size_t>(num_scan_inputs_);
    if (ctx.input_count() < m + 1) fail(node_name(node_), ": fewer inputs than num_scan_inputs");
    size_t n_state = ctx.input_count() - 1 - m;
    const RtTensor* first = ctx.input(1 + n_state);
    if (!first || first->rank() < 2) fail(node_name(node_), ": scan inputs need a batch and a sequence axis");
    int64_t batch = first->dim(0), len = first->dim(1);
    for (size_t j = 0; j < m; ++j) {
      const RtTensor* t = ctx.input(1 + n_state + j);
      if (!t || t->rank() < 2 || t->dim(0) != batch || t->dim(1) != len)
        fail(node_name(node_), ": scan inputs must share batch and sequence sizes");
    }
    if (const RtTensor* lens = ctx.input(0); lens && !lens->empty()) {
      std::vector<int64_t> v = lens->to_tensor("sequence_lens")->to_int64();
      for (int64_t l : v)
        if (l != len) fail_unsupported(node_name(node_), ": sequence_lens shorter than the scan inputs is not supported");
    }
    size_t k_out = body_.outputs().size() - n_state;
    std::vector<std::vector<RtTensor>> states(n_state), scans(k_out);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<RtTensor> state;
      for (size_t i = 0; i < n_state; ++i) state.push_back(slice(node_, *ctx.input(1 + i), 0, b));
      std::vector<RtTensor> seq_inputs;
      for (size_t j = 0; j < m; ++j) seq_inputs.push_back(slice(node_, *ctx.input(1 + n_state + j), 0, b));
      std::vector<std::vector<RtTensor>> steps(k_out);
      for (int64_t t = 0; t < len; ++t) {
        std::vector<RtTensor> in = state;
        for (size_t j = 0; j < m; ++j) {
          bool rev = j < dirs_.size() && dirs_[j] == 1;
          in.push_back(slice(node_, seq_inputs[j], 0, rev ? len - 1 - t : t));
        }
        std::vector<RtTensor> out = ctx.run_subgraph(body_, in);
        for (size_t i = 0; i < n_state; ++i) state[i] = std::move(out[i]);
        for (size_t k = 0; k < k_out; ++k) steps[k].push_back(std::move(out[n_state + k]));
      }
      for (size_t i = 0; i < n_state; ++i) states[i].push_back(std::move(state[i]));
      for (size_t k = 0; k < k_out; ++k) {
        if (steps[k].empty()) fail_unsupported(node_name(node_), ": empty sequences are not supported");
        scans[k].push_back(stack(node_, steps[k], 0, false));
      }
    }
    if (batch == 0) fail_unsupported(node_name(node_), ": an empty batch is not supported");
    for (size_t i = 0; i < n_state && i < ctx.output_count(); ++i) copy_to_output(ctx, node_, i, stack(node_, states[i], 0, false));
    for (size_t k = 0; k < k_out && n_state + k < ctx.output_count(); ++k)
      copy_to_output(ctx, node_, n_state + k, stack(node_, scans[k], 0, false));
  }

 private:
  const Node& node_;
  const Graph& body_;
  int64_t num_scan_inputs_ = 0;
  std::vector<int64_t> dirs_;
};

}  // namespace

void register_control_flow_kernels(KernelRegistry& r) {
  r.add({"", "If", 1, 1000, Backend::Ref, [](const KernelInit& k) { return std::make_unique<IfKernel>(k.node); }});
  r.add({"", "Loop", 1, 1000, Backend::Ref, [](const KernelInit& k) { return std::make_unique<LoopKernel>(k.node); }});
  r.add({"", "Scan", 8, 8, Backend::Ref, [](const KernelInit& k) { return std::make_unique<Scan8Kernel>(k.node); }});
  r.add({"", "Scan", 9, 1000, Backend::Ref, [](const KernelInit& k) { return std::make_unique<ScanKernel>(k.node); }});
}

}  // namespace kiln
