// convert-to-nhwc: connected regions of 2-D convolution chains go channels-last (NHWC), with one
// Transpose per value entering or leaving a region. Convolutions and pooling become Kiln's
// channels-last ops (core/ir/kiln_layout_ops.h); the ops between them that only need their
// constants or axis attributes re-laid stay standard ONNX ops:
//   unary elementwise ops and Clip       unchanged
//   binary elementwise ops, PRelu        a constant operand re-laid ([C,1,1] -> [C]); an operand
//                                        from the same region (a residual Add) needs nothing
//   BatchNormalization (inference)       Mul and Add by per-channel [C] constants
//   Concat                               axis remapped (channels: 1 -> 3)
//   Pad                                  pads permuted
//   Resize, Upsample                     constant scales / sizes permuted, or axes remapped
// Kiln's fused conv ops are left alone: they are NCHW by definition.
#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_layout_ops.h"
#include "kernels/cpu/ref/transform.h"
#include "passes/cleanup/captured_names.h"
#include "passes/framework/opset_gates.h"
#include "passes/framework/rewriter.h"
#include "passes/fusion/channel_affine.h"
#include "passes/fusion/fusion_helpers.h"
#include "passes/layout/layout_passes.h"

namespace kiln::passes {
namespace {

using layout::kNhwcAxisOf;
using layout::kToNchw;
using layout::kToNhwc;

enum class Kind {
  Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, BatchNorm,
  Unary, Binary, Concat, Pad, Resize, Upsample,
};

// What becomes of one input of a region node.
enum class Slot : uint8_t {
  Keep,       // read as it is (bias, Clip bounds, Resize roi; constants re-laid by the node's rule)
  Data,       // a 4-D activation: the NHWC form of a region value, or an entry Transpose
  Broadcast,  // a constant broadcast against the activation: re-laid, leading 1-dims dropped
  Permute,    // a 4-D constant taken whole (Conv weights OIHW -> OHWI, a Concat operand)
};

struct Plan {
  Node* node = nullptr;
  Kind kind = Kind::Unary;
  std::vector<Slot> slots;              // one per input
  std::optional<ChannelAffine> affine;  // BatchNorm
};

const std::unordered_map<std::string_view, Kind>& op_kinds() {
  static const std::unordered_map<std::string_view, Kind> kinds = [] {
    std::unordered_map<std::string_view, Kind> m = {
        {"Conv", Kind::Conv},
        {"MaxPool", Kind::MaxPool},
        {"AveragePool", Kind::AveragePool},
        {"GlobalAveragePool", Kind::GlobalAveragePool},
        {"GlobalMaxPool", Kind::GlobalMaxPool},
        {"BatchNormalization", Kind::BatchNorm},
        {"Concat", Kind::Concat},
        {"Pad", Kind::Pad},
        {"Resize", Kind::Resize},
        {"Upsample", Kind::Upsample},
    };
    // Elementwise ops with no axis semantics: the layout of their data does not matter.
    for (std::string_view op : {"Relu", "LeakyRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid",
                                "HardSwish", "Tanh", "Softplus", "Softsign", "ThresholdedRelu", "Gelu", "Mish",
                                "Exp", "Log", "Neg", "Abs", "Sqrt", "Reciprocal", "Erf", "Floor", "Ceil", "Round",
                                "Sign", "Clip"})
      m.emplace(op, Kind::Unary);
    for (std::string_view op : {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu"}) m.emplace(op, Kind::Binary);
    return m;
  }();
  return kinds;
}

bool is_4d(const Value* v) { return known_rank(v) == 4; }

// Whole bytes per element: what a constant needs to be re-laid by copying elements.
bool byte_sized(DataType t) {
  const int bits = dtype_bits(t);
  return bits > 0 && bits % 8 == 0 && t != DataType::String;
}

bool has_length(const Node* n, std::string_view attr, size_t len) {
  const Attribute* a = n->attr(attr);
  return !a || a->ints.size() == len;
}

// Spatial attributes of a 2-D window op: per-axis lists of the right length.
bool window_attrs_ok(const Node* n) {
  return has_length(n, "kernel_shape", 2) && has_length(n, "strides", 2) && has_length(n, "dilations", 2) &&
         has_length(n, "pads", 4);
}

bool is_transpose(const Node* n, const std::array<int64_t, 4>& perm) {
  if (!is_onnx_op(n, "Transpose")) return false;
  auto p = transpose_perm(n);
  return p && std::equal(p->begin(), p->end(), perm.begin(), perm.end());
}

template <class T>
std::vector<T> per_axis_to_nhwc(const std::vector<T>& v) {
  std::vector<T> out(4);
  for (size_t i = 0; i < 4; ++i) out[i] = v[static_cast<size_t>(kToNhwc[i])];
  return out;
}

// Scales/sizes of Resize (opset 11+) or Upsample (opset 9): absent, empty, or constant with one
// value per axis listed (all four without `axes`).
bool per_axis_input_ok(const Value* v, size_t axes) {
  if (!v) return true;
  const Tensor* t = constant_of(v);
  return t && t->dims.size() == 1 && (t->numel() == 0 || t->numel() == static_cast<int64_t>(axes));
}

// The plan for n when it can run channels-last with its 4-D activations in NHWC, judging n alone;
// nullopt otherwise. Cheapest checks first: the op type, then ranks, then constants.
std::optional<Plan> classify(Node* n, const Model& model, const CapturedNames& captured) {
  if (!n->is_onnx_domain()) return std::nullopt;
  const auto it = op_kinds().find(n->op_type);
  if (it == op_kinds().end()) return std::nullopt;
  Plan p{n, it->second, std::vector<Slot>(n->num_inputs(), Slot::Keep), std::nullopt};
  const Value* y = n->output(0);
  // The old output disappears, so a subgraph must not read it by name.
  if (!is_4d(y) || captured.contains(y)) return std::nullopt;
  // Extra outputs (MaxPool indices, training BatchNorm statistics) have no NHWC form.
  for (size_t i = 1; i < n->num_outputs(); ++i)
    if (const Value* o = n->output(i); o && (o->has_uses() || o->is_graph_output())) return std::nullopt;
  // Input 0 is the activation, except for binary ops (either operand may be the constant). An
  // activation computed at optimisation time is fold-constants' business.
  const Value* x = n->input(0);
  if (p.kind != Kind::Binary) {
    if (!is_4d(x) || constant_of(x)) return std::nullopt;
    p.slots[0] = Slot::Data;
  }
  const int64_t opset = model.opset("");
  switch (p.kind) {
    case Kind::Conv: {
      const Tensor* w = constant_of(n->input(1));
      if (!w || w->dims.size() != 4 || !byte_sized(w->dtype)) return std::nullopt;
      if (n->attr_int("group", 1) < 1 || !window_attrs_ok(n)) return std::nullopt;
      p.slots[1] = Slot::Permute;
      break;
    }
    case Kind::MaxPool:
    case Kind::AveragePool:
      if (!n->has_attr("kernel_shape") || !window_attrs_ok(n)) return std::nullopt;
      break;
    case Kind::GlobalAveragePool:
    case Kind::GlobalMaxPool:
    case Kind::Unary:
      break;
    case Kind::BatchNorm:
      if (!is_foldable_float(x->type.dtype) || !can_emit(model, "Mul") || !can_emit(model, "Add")) return std::nullopt;
      p.affine = inference_batchnorm(n, model);
      if (!p.affine) return std::nullopt;
      break;
    case Kind::Binary: {
      if (n->num_inputs() != 2) return std::nullopt;
      for (size_t i = 0; i < 2; ++i) {
        const Value* v = n->input(i);
        if (const Tensor* t = constant_of(v)) {
          // Any constant of rank <= 4 broadcasts the same way once re-laid (see relaid()).
          if (t->dims.size() > 4 || !byte_sized(t->dtype)) return std::nullopt;
          const bool scalar_like = std::all_of(t->dims.begin(), t->dims.end(), [](int64_t d) { return d == 1; });
          p.slots[i] = scalar_like ? Slot::Keep : Slot::Broadcast;
        } else if (is_4d(v)) {
          p.slots[i] = Slot::Data;
        } else {
          return std::nullopt;
        }
      }
      // Something must be an activation; PRelu's X must be (its slope broadcasts to X).
      if (p.slots[0] != Slot::Data && (p.slots[1] != Slot::Data || n->op_type == "PRelu")) return std::nullopt;
      break;
    }
    case Kind::Concat: {
      const int64_t axis = n->attr_int("axis", 1);
      if (axis < -4 || axis > 3) return std::nullopt;
      for (size_t i = 0; i < n->num_inputs(); ++i) {
        const Value* v = n->input(i);
        if (!is_4d(v)) return std::nullopt;
        const Tensor* t = constant_of(v);
        if (t && !byte_sized(t->dtype)) return std::nullopt;
        p.slots[i] = t ? Slot::Permute : Slot::Data;
      }
      break;
    }
    case Kind::Pad:
      if (opset >= 11) {
        // pads as an input; an `axes` input (opset 18) is not remapped.
        auto pads = constant_ints(n->input(1));
        if (!pads || pads->size() != 8 || n->input(3)) return std::nullopt;
      } else if (n->attr_ints("pads").size() != 8) {
        return std::nullopt;
      }
      break;
    case Kind::Resize: {
      // Nearest and linear interpolate each axis alone, so permuting the axes permutes the result;
      // cubic and antialiased linear filters are where runtimes differ by layout, and
      // tf_crop_and_resize's roi would need permuting too.
      const std::string mode = n->attr_string("mode", "nearest");
      if ((mode != "nearest" && mode != "linear") || n->attr_int("antialias", 0) != 0 ||
          n->attr_string("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize")
        return std::nullopt;
      size_t axes = 4;
      if (const Attribute* a = n->attr("axes")) {
        if (!normalize_axes(a->ints, 4)) return std::nullopt;
        axes = a->ints.size();
      }
      if (opset < 11) {
        if (!n->input(1) || !per_axis_input_ok(n->input(1), 4)) return std::nullopt;
      } else if (!per_axis_input_ok(n->input(2), axes) || !per_axis_input_ok(n->input(3), axes)) {
        return std::nullopt;
      }
      break;
    }
    case Kind::Upsample: {
      const std::string mode = n->attr_string("mode", "nearest");
      if (mode != "nearest" && mode != "linear" && mode != "bilinear") return std::nullopt;
      if (n->input(1) ? !per_axis_input_ok(n->input(1), 4) : n->attr_floats("scales").size() != 4)
        return std::nullopt;
      break;
    }
  }
  return p;
}

// Rewrites the regions of one graph; remembers the NHWC form of every value it has given one, so
// a value entering several regions is transposed once, and every constant it has re-laid.
class RegionRewriter {
 public:
  RegionRewriter(PassContext& ctx, Graph& g, const CapturedNames& captured) : ctx_(ctx), g_(g), captured_(captured) {}

  void convert(const std::vector<const Plan*>& region) {
    import_kiln_domain(ctx_.model);
    std::unordered_set<const Node*> members;
    for (const Plan* p : region) members.insert(p->node);
    // Graph order is topological: a node's region inputs have their NHWC form before it is
    // rewritten. New nodes go right before the node they replace.
    for (const Plan* p : region) rewrite(*p);
    std::vector<NodeId> doomed;
    for (const Plan* p : region) leave(p->node, members, doomed);
    // The cancelled inverse transposes first, as they read old region values; then the old nodes,
    // readers before producers.
    for (auto it = region.rbegin(); it != region.rend(); ++it) doomed.push_back((*it)->node->id());
    for (NodeId id : doomed) {
      // Removing one node also removes what only it kept alive, possibly a later one here.
      if (Node* n = g_.find_node(id)) ctx_.rw.remove_node(n);
    }
    ctx_.stats.add("regions_converted");
    ctx_.stats.add("nodes_converted", static_cast<int64_t>(region.size()));
  }

 private:
  Node* add(std::string op, const std::vector<Value*>& inputs, const std::string& out, const Node* from,
            std::string domain, Node* before) {
    std::vector<const Node*> provenance;
    if (from) provenance.push_back(from);
    return ctx_.rw.add_node(g_, std::move(op), inputs, {out}, provenance, std::move(domain), before);
  }

  Node* transpose(Value* v, const std::array<int64_t, 4>& perm, const std::string& out, Node* before) {
    Node* t = add("Transpose", {v}, out, nullptr, "", before);
    ctx_.rw.set_attr(t, Attribute::make_ints("perm", std::vector<int64_t>(perm.begin(), perm.end())));
    ctx_.stats.add("transposes_inserted");
    return t;
  }

  Value* initializer(std::shared_ptr<const Tensor> t) { return ctx_.rw.add_initializer(g_, *t); }

  // The NHWC form of an activation read by a region node: a region value's new form, or an entry.
  // A value made by an NHWC -> NCHW Transpose enters as that Transpose's input: the pair cancels.
  Value* nhwc(Value* v, Node* before) {
    if (auto it = nhwc_.find(v); it != nhwc_.end()) return it->second;
    Value* out;
    if (is_transpose(v->producer(), kToNchw)) {
      out = v->producer()->input(0);
      ctx_.stats.add("transposes_cancelled");
    } else {
      out = transpose(v, kToNhwc, v->name() + "_nhwc", before)->output(0);
    }
    nhwc_.emplace(v, out);
    return out;
  }

  // A constant in channels-last form: axes permuted as the activation's are, after padding a
  // broadcast operand to rank 4 ([C,1,1] -> [1,C,1,1] -> [1,1,1,C]); a broadcast operand then
  // loses its leading 1-dims again ([C]), which broadcasting restores.
  Value* relaid(Value* v, Slot slot, const std::string& suffix) {
    const auto key = std::make_pair(v, slot);
    if (auto it = relaid_.find(key); it != relaid_.end()) return it->second;
    const Tensor& t = *constant_of(v);
    std::vector<int64_t> dims(4 - t.dims.size(), 1);
    dims.insert(dims.end(), t.dims.begin(), t.dims.end());
    std::vector<int64_t> shape, strides;
    layout::permuted_view(dims, kToNhwc, shape, strides);
    const size_t elem = static_cast<size_t>(dtype_bits(t.dtype) / 8);
    std::vector<uint8_t> bytes(t.byte_size());
    ref::strided_copy(t.raw(), 0, strides, bytes.data(), shape, elem);
    if (slot == Slot::Broadcast) {
      const auto first = std::find_if(shape.begin(), shape.end() - 1, [](int64_t d) { return d != 1; });
      shape.erase(shape.begin(), first);
    }
    Value* out = initializer(Tensor::make(v->name() + suffix, t.dtype, shape, std::move(bytes)));
    relaid_.emplace(key, out);
    return out;
  }

  void rewrite(const Plan& p) {
    Node* old = p.node;
    std::vector<Value*> in(old->num_inputs(), nullptr);
    for (size_t i = 0; i < in.size(); ++i) {
      Value* v = old->input(i);
      switch (p.slots[i]) {
        case Slot::Keep: in[i] = v; break;
        case Slot::Data: in[i] = nhwc(v, old); break;
        case Slot::Broadcast:
        case Slot::Permute: in[i] = relaid(v, p.slots[i], p.kind == Kind::Conv ? "_ohwi" : "_nhwc"); break;
      }
    }
    Value* y = old->output(0);
    const std::string out = y->name() + "_nhwc";
    Node* n = nullptr;
    switch (p.kind) {
      case Kind::Conv: n = kiln_op(layout::kNhwcConv, in, p, {}); break;
      case Kind::MaxPool: n = kiln_op(layout::kNhwcMaxPool, in, p, {"storage_order"}); break;
      case Kind::AveragePool: n = kiln_op(layout::kNhwcAveragePool, in, p, {}); break;
      case Kind::GlobalAveragePool: n = kiln_op(layout::kNhwcGlobalAveragePool, in, p, {}); break;
      case Kind::GlobalMaxPool: n = kiln_op(layout::kNhwcGlobalMaxPool, in, p, {}); break;
      case Kind::BatchNorm: {
        const DataType dt = old->input(0)->type.dtype;
        const std::vector<int64_t> c{static_cast<int64_t>(p.affine->scale.size())};
        Value* scale = initializer(float_tensor(y->name() + "_scale", dt, c, p.affine->scale));
        Value* shift = initializer(float_tensor(y->name() + "_shift", dt, c, p.affine->shift));
        Node* mul = add("Mul", {in[0], scale}, y->name() + "_scaled", old, "", old);
        n = add("Add", {mul->output(0), shift}, out, old, "", old);
        break;
      }
      case Kind::Unary:
      case Kind::Binary:
        n = same_op(in, p, {});
        break;
      case Kind::Concat: {
        n = same_op(in, p, {"axis"});
        const int64_t axis = old->attr_int("axis", 1);
        ctx_.rw.set_attr(n, Attribute::make_int("axis", kNhwcAxisOf[static_cast<size_t>(axis < 0 ? axis + 4 : axis)]));
        break;
      }
      case Kind::Pad:
        if (old->has_attr("pads")) {
          n = same_op(in, p, {"pads"});
          ctx_.rw.set_attr(n, Attribute::make_ints("pads", pads_to_nhwc(old->attr_ints("pads"))));
        } else {
          in[1] = initializer(int64_tensor(old->input(1)->name() + "_nhwc", {8}, pads_to_nhwc(*constant_ints(old->input(1)))));
          n = same_op(in, p, {});
        }
        break;
      case Kind::Resize:
      case Kind::Upsample:
        n = resize(in, p);
        break;
    }
    nhwc_.emplace(y, n->output(0));
  }

  static std::vector<int64_t> pads_to_nhwc(const std::vector<int64_t>& pads) {
    std::vector<int64_t> out = per_axis_to_nhwc(std::vector<int64_t>(pads.begin(), pads.begin() + 4));
    const std::vector<int64_t> end = per_axis_to_nhwc(std::vector<int64_t>(pads.begin() + 4, pads.end()));
    out.insert(out.end(), end.begin(), end.end());
    return out;
  }

  Node* kiln_op(std::string_view op, const std::vector<Value*>& in, const Plan& p,
                const std::vector<std::string_view>& skip) {
    Node* n = add(std::string(op), in, p.node->output(0)->name() + "_nhwc", p.node, std::string(kKilnDomain), p.node);
    copy_attrs(ctx_.rw, p.node, n, skip);
    return n;
  }

  Node* same_op(const std::vector<Value*>& in, const Plan& p, const std::vector<std::string_view>& skip) {
    Node* n = add(p.node->op_type, in, p.node->output(0)->name() + "_nhwc", p.node, p.node->domain, p.node);
    copy_attrs(ctx_.rw, p.node, n, skip);
    return n;
  }

  // Resize/Upsample: with an `axes` attribute the axes are renamed; otherwise the per-axis
  // scales or sizes are permuted.
  Node* resize(std::vector<Value*> in, const Plan& p) {
    const Node* old = p.node;
    if (const Attribute* a = old->attr("axes")) {
      std::vector<int64_t> axes = *normalize_axes(a->ints, 4);
      for (int64_t& ax : axes) ax = kNhwcAxisOf[static_cast<size_t>(ax)];
      Node* n = same_op(in, p, {"axes"});
      ctx_.rw.set_attr(n, Attribute::make_ints("axes", axes));
      return n;
    }
    if (const Attribute* a = old->attr("scales")) {  // Upsample-7
      Node* n = same_op(in, p, {"scales"});
      ctx_.rw.set_attr(n, Attribute::make_floats("scales", per_axis_to_nhwc(a->floats)));
      return n;
    }
    for (size_t i = 1; i < in.size(); ++i) {
      const Value* v = old->input(i);
      const Tensor* t = v ? constant_of(v) : nullptr;
      // roi (Resize-11 input 1) only matters for tf_crop_and_resize, which is not converted.
      const bool per_axis = old->op_type == "Upsample" || i >= (ctx_.model.opset("") >= 11 ? 2u : 1u);
      if (!t || t->numel() != 4 || !per_axis) continue;
      in[i] = t->dtype == DataType::Int64
                  ? initializer(int64_tensor(v->name() + "_nhwc", {4}, per_axis_to_nhwc(t->to_int64())))
                  : initializer(float_tensor(v->name() + "_nhwc", t->dtype, {4}, per_axis_to_nhwc(t->to_double())));
    }
    return same_op(in, p, {});
  }

  // Readers outside the region get the NCHW form back through one exit Transpose, which also takes
  // over the name of a graph output. An NCHW -> NHWC Transpose reading the value is not given the
  // exit: its readers take the NHWC form directly, and it goes (onto `doomed`).
  void leave(Node* old, const std::unordered_set<const Node*>& members, std::vector<NodeId>& doomed) {
    Value* y = old->output(0);
    Value* y_nhwc = nhwc_.at(y);
    bool needed = y->is_graph_output();
    for (const Use& u : std::vector<Use>(y->uses())) {
      if (members.count(u.node)) continue;
      Value* inverse = is_transpose(u.node, kToNhwc) ? u.node->output(0) : nullptr;
      if (inverse && captured_.can_replace(inverse, y_nhwc)) {
        ctx_.rw.replace_uses(inverse, y_nhwc);
        ctx_.stats.add("transposes_cancelled");
        doomed.push_back(u.node->id());
      } else {
        needed = true;
      }
    }
    if (!needed) return;
    Node* exit = transpose(y_nhwc, kToNchw, y->name() + "_nchw", old);
    ctx_.rw.replace_uses(y, exit->output(0));
  }

  PassContext& ctx_;
  Graph& g_;
  const CapturedNames& captured_;
  std::unordered_map<Value*, Value*> nhwc_;
  std::map<std::pair<Value*, Slot>, Value*> relaid_;
};

// Connected components of the candidates: two are connected when one reads the other's output as
// an activation.
std::vector<std::vector<const Plan*>> regions(const std::vector<Plan>& plans) {
  std::unordered_map<const Node*, size_t> index;
  for (size_t i = 0; i < plans.size(); ++i) index.emplace(plans[i].node, i);
  std::vector<size_t> parent(plans.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (size_t i = 0; i < plans.size(); ++i)
    for (size_t s = 0; s < plans[i].slots.size(); ++s) {
      if (plans[i].slots[s] != Slot::Data) continue;
      const Value* v = plans[i].node->input(s);
      auto it = v->producer() ? index.find(v->producer()) : index.end();
      if (it != index.end() && it->second != i && v == v->producer()->output(0)) parent[root(i)] = root(it->second);
    }
  std::vector<std::vector<const Plan*>> out;
  std::unordered_map<size_t, size_t> group;
  for (size_t i = 0; i < plans.size(); ++i) {
    auto [it, fresh] = group.emplace(root(i), out.size());
    if (fresh) out.emplace_back();
    out[it->second].push_back(&plans[i]);
  }
  return out;
}

void run(PassContext& ctx) {
  const int64_t min_convs = ctx.options.get_int("min_convs");
  for (Graph* g : ctx.rw.graphs()) {
    const CapturedNames captured(*g);
    std::vector<Plan> plans;
    for (Node* n : g->nodes())
      if (auto p = classify(n, ctx.model, captured)) plans.push_back(std::move(*p));
    RegionRewriter rewriter(ctx, *g, captured);
    for (const std::vector<const Plan*>& region : regions(plans)) {
      const auto convs = std::count_if(region.begin(), region.end(), [](const Plan* p) { return p->kind == Kind::Conv; });
      if (convs >= min_convs) rewriter.convert(region);
    }
  }
}

}  // namespace

void register_convert_to_nhwc(PassRegistry& r) {
  r.add({{"convert-to-nhwc",
          PassCategory::Layout,
          "Run chains of 2-D convolutions channels-last (NHWC), transposing only at their borders",
          "Finds connected regions of 2-D Conv (constant weights), MaxPool/AveragePool/GlobalAveragePool/"
          "GlobalMaxPool, inference BatchNormalization, unary elementwise ops and Clip, binary elementwise "
          "ops whose other operand is constant or another 4-D activation, Concat, Pad and Resize/Upsample "
          "with constant scales or sizes, and rewrites every region with at least min_convs convolutions "
          "to channels-last: Conv and pooling become ai.kiln NhwcConv (weights repacked to OHWI) and "
          "Nhwc*Pool, BatchNormalization becomes Mul and Add by per-channel constants, constants are "
          "re-laid ([C,1,1] -> [C]) and axis attributes remapped. A Transpose to NHWC is inserted once "
          "per value entering a region and one back to NCHW once per value leaving it (taking over a "
          "graph output's name); an existing inverse Transpose at a border cancels instead. Not "
          "converted: 1-D and 3-D convolutions, convolutions with non-constant weights, MaxPool whose "
          "indices are read, Resize in cubic or tf_crop_and_resize mode or antialiased, Pad with axes, "
          "values that subgraphs read by name, and Kiln's fused conv ops.",
          {{"min_convs", OptionType::Int, "fewest convolutions a region needs to be worth its border transposes",
            int64_t{2}, 1, 1e9, {}},
           {"layout", OptionType::Choice, "the channels-last layout to use", std::string("nhwc"), 0, 0, {"nhwc"}}},
          {{"regions_converted", "regions rewritten channels-last"},
           {"nodes_converted", "NCHW nodes replaced by channels-last ones"},
           {"transposes_inserted", "Transposes inserted at region borders"},
           {"transposes_cancelled", "existing inverse Transposes at region borders that cancelled instead"}},
          true},
         run});
}

}  // namespace kiln::passes
