// hoist-slices: a crop (Slice with constant parameters, Gather of one constant index, Split with one
// output used) of an elementwise op's result is moved ahead of the op, so the op computes only
// the elements that are kept. Constant operands are cropped when the pass runs; operands that
// broadcast along the cropped axes are read as they are.
#include <algorithm>
#include <deque>
#include <optional>

#include "passes/cleanup/captured_names.h"
#include "passes/framework/rewriter.h"
#include "passes/reordering/reorder_helpers.h"
#include "passes/reordering/reordering_passes.h"

namespace kiln::passes {
namespace {

using namespace reorder;

// What a crop keeps, in the coordinates of the tensor it crops.
struct Crop {
  enum class Kind { Slice, Gather, Split } kind;
  size_t output = 0;              // the output that is used (Split)
  std::vector<int64_t> axes;      // distinct, in [0, rank)
  std::optional<SliceParams> slice;
  int64_t index = 0;              // Gather
  std::vector<int64_t> sizes;     // Split: given sizes; empty: equal parts
  int64_t parts = 0;              // Split: number of outputs

  // Which elements of axes[i] survive when that axis has dim elements; nullopt when the crop's
  // parameters don't fit the dim (an index out of range, split sizes that don't add up).
  std::optional<AxisRange> range(size_t i, int64_t dim) const {
    switch (kind) {
      case Kind::Slice:
        return slice_range(slice->starts[i], slice->ends[i], slice->steps[i], dim);
      case Kind::Gather: {
        if (index < -dim || index >= dim) return std::nullopt;
        return AxisRange{index < 0 ? index + dim : index, 1, 1};
      }
      case Kind::Split: {
        int64_t start = 0, count = 0;
        if (!sizes.empty()) {
          int64_t total = 0;
          for (size_t k = 0; k < sizes.size(); ++k) {
            if (k == output) {
              start = total;
              count = sizes[k];
            }
            total += sizes[k];
          }
          if (total != dim) return std::nullopt;
        } else {
          const int64_t chunk = (dim + parts - 1) / parts;
          start = std::min(dim, chunk * static_cast<int64_t>(output));
          count = std::min(chunk, dim - start);
        }
        return AxisRange{start, 1, count};
      }
    }
    return std::nullopt;
  }
};

bool normalize_axis(int64_t& a, int64_t rank) {
  if (a < 0) a += rank;
  return a >= 0 && a < rank;
}

// The crop n applies to a tensor of the given rank; nullopt when n is not a crop this pass moves.
std::optional<Crop> read_crop(const Node& n, int64_t rank, int64_t opset) {
  Crop c;
  if (n.op_type == "Slice") {
    c.kind = Crop::Kind::Slice;
    c.slice = slice_params(n, opset);
    if (!c.slice) return std::nullopt;
    c.axes = c.slice->axes;
  } else if (n.op_type == "Gather") {
    c.kind = Crop::Kind::Gather;
    const Tensor* idx = constant_of(n.input(1));
    if (!idx || !idx->dims.empty()) return std::nullopt;
    const std::vector<int64_t> v = idx->to_int64();
    if (v.size() != 1) return std::nullopt;
    c.index = v[0];
    c.axes = {n.attr_int("axis", 0)};
  } else {
    c.kind = Crop::Kind::Split;
    // Exactly one output read: otherwise moving the op past the Split computes it per part.
    bool found = false;
    for (size_t k = 0; k < n.num_outputs(); ++k) {
      const Value* o = n.output(k);
      if (!o || (!o->has_uses() && !o->is_graph_output())) continue;
      if (found) return std::nullopt;
      found = true;
      c.output = k;
    }
    if (!found) return std::nullopt;
    if (n.input(1)) {
      const Tensor* s = constant_of(n.input(1));
      if (!s) return std::nullopt;
      c.sizes = s->to_int64();
    } else {
      c.sizes = n.attr_ints("split");
    }
    c.parts = static_cast<int64_t>(n.num_outputs());
    if (!c.sizes.empty() && c.sizes.size() != n.num_outputs()) return std::nullopt;
    c.axes = {n.attr_int("axis", 0)};
  }
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& a : c.axes) {
    if (!normalize_axis(a, rank) || seen[static_cast<size_t>(a)]) return std::nullopt;
    seen[static_cast<size_t>(a)] = true;
  }
  return c;
}

bool is_crop_op(const Node& n) {
  return n.is_onnx_domain() && (n.op_type == "Slice" || n.op_type == "Gather" || n.op_type == "Split");
}

// How an operand of the elementwise op meets one cropped axis of its output.
enum class Meets { Absent, Broadcast, Full };

class Hoister {
 public:
  Hoister(PassContext& ctx, Graph& g) : ctx_(ctx), g_(g), captured_(g), opset_(ctx.model.opset("")) {}

  void run() {
    std::deque<NodeId> work;
    for (Node* n : g_.nodes())
      if (is_crop_op(*n)) work.push_back(n->id());
    while (!work.empty()) {
      Node* n = g_.find_node(work.front());
      work.pop_front();
      if (n) hoist(n, work);
    }
  }

 private:
  void hoist(Node* c, std::deque<NodeId>& work) {
    Value* d = c->input(0);
    Node* e = d ? d->producer() : nullptr;
    if (!e || sole_consumer(d) != c || !read_only_as_data(*c, d) || !is_broadcast_elementwise(*e, opset_)) return;
    const Shape* out = shape_of(d);
    if (!out) return;
    const auto rank = static_cast<int64_t>(out->rank());
    const std::optional<Crop> crop = read_crop(*c, rank, opset_);
    if (!crop) return;
    Value* kept = c->output(crop->output);
    if (captured_.contains(d)) return;
    for (const Value* o : c->outputs())
      if (captured_.contains(o)) return;

    // Every operand is read cropped at run time (at most one, of the output's rank), cropped now
    // (a constant), or as it is (it broadcasts along every cropped axis).
    const bool drops = crop->kind == Crop::Kind::Gather;
    Value* runtime = nullptr;
    std::vector<std::optional<Tensor>> cropped_consts(e->num_inputs());
    std::vector<std::string> how(e->num_inputs());  // how each cropped constant was derived
    std::vector<bool> axis_covered(crop->axes.size(), false);
    for (size_t i = 0; i < e->num_inputs(); ++i) {
      Value* v = e->input(i);
      const Tensor* k = constant_of(v);
      std::vector<Dim> dims;
      if (k) {
        for (int64_t x : k->dims) dims.push_back(Dim::known(x));
      } else if (const Shape* s = shape_of(v)) {
        dims = s->dims;
      } else {
        return;
      }
      if (static_cast<int64_t>(dims.size()) > rank) return;
      const int64_t offset = rank - static_cast<int64_t>(dims.size());
      std::vector<Meets> meets;
      for (size_t j = 0; j < crop->axes.size(); ++j) {
        const int64_t a = crop->axes[j];
        if (a < offset) {
          meets.push_back(Meets::Absent);
          continue;
        }
        const Dim& dv = dims[static_cast<size_t>(a - offset)];
        if (dv.is_known() && dv.value == 1) {
          meets.push_back(Meets::Broadcast);
        } else if (dv.is_known() || same_dim(dv, out->dims[static_cast<size_t>(a)])) {
          // A size other than 1 is the output's size, by the broadcasting rule.
          meets.push_back(Meets::Full);
          axis_covered[j] = true;
        } else {
          return;
        }
      }
      const auto count = [&](Meets m) { return std::count(meets.begin(), meets.end(), m); };
      if (!k) {
        if (count(Meets::Full) == 0) {
          // A dropped axis the operand has (as a 1) would misalign it against the output.
          if (drops && count(Meets::Broadcast) > 0) return;
        } else if (count(Meets::Full) == static_cast<int64_t>(meets.size()) && offset == 0 &&
                   (!runtime || runtime == v)) {
          runtime = v;
        } else {
          return;
        }
        continue;
      }
      if (count(Meets::Full) == 0 && !(drops && count(Meets::Broadcast) > 0)) continue;
      if (!byte_addressable(*k)) return;
      std::vector<AxisRange> ranges;
      for (int64_t x : k->dims) ranges.push_back({0, 1, x});
      for (size_t j = 0; j < crop->axes.size(); ++j) {
        if (meets[j] != Meets::Full) continue;
        const auto ka = static_cast<size_t>(crop->axes[j] - offset);
        const std::optional<AxisRange> r = crop->range(j, k->dims[ka]);
        if (!r) return;
        ranges[ka] = *r;
      }
      for (const AxisRange& r : ranges) how[i] += ints_key({r.start, r.step, r.count}) + ";";
      Tensor t = cropped(*k, ranges);
      if (drops && meets[0] != Meets::Absent) {
        std::vector<int64_t> dims_left = t.dims;
        dims_left.erase(dims_left.begin() + (crop->axes[0] - offset));
        t = with_dims(t, std::move(dims_left));
        how[i] += "drop " + std::to_string(crop->axes[0] - offset);
      }
      t.name = v->name();
      cropped_consts[i] = std::move(t);
    }
    // An axis no operand is full on has size 1 in the output, and a Slice may keep none of it.
    for (bool covered : axis_covered)
      if (!covered) return;

    // Matched. The nodes trade places without being copied: the crop's readers read the op, the
    // op reads the crop (and cropped constants), and the crop reads the run-time operand.
    const ValueType result_type = kept->type;
    ctx_.rw.replace_uses(kept, d);
    d->type = result_type;
    if (runtime) {
      for (size_t j = 0; j < c->num_outputs(); ++j) {
        Value* o = c->output(j);
        if (o) set_type(o, dtype_of(runtime), cropped_shape(*shape_of(runtime), *crop, shape_of(o)));
      }
      ctx_.rw.set_input(c, 0, runtime);
      ctx_.rw.move_before(c, e);
      work.push_back(c->id());
    }
    for (size_t i = 0; i < e->num_inputs(); ++i) {
      if (runtime && e->input(i) == runtime) {
        ctx_.rw.set_input(e, i, kept);
      } else if (cropped_consts[i]) {
        Value* whole = e->input(i);
        ctx_.rw.set_input(e, i, derived_.get(ctx_.rw, g_, whole, how[i], *cropped_consts[i]));
        remove_if_unread(ctx_.rw, captured_, whole);
        ctx_.stats.add("constants_cropped");
      }
    }
    // Without a run-time operand to crop, the crop has nothing left to do.
    if (!runtime) ctx_.rw.remove_node(c);
    ctx_.stats.add("hoisted");
    for (const Use& u : d->uses())
      if (is_crop_op(*u.node)) work.push_back(u.node->id());
  }

  // The shape of the run-time operand cropped: its own dims, with the cropped axes' dims taken
  // from the crop's result (the operand is full on them).
  static std::optional<Shape> cropped_shape(const Shape& in, const Crop& crop, const Shape* result) {
    if (!result) return std::nullopt;
    if (crop.kind == Crop::Kind::Gather) {
      Shape s = in;
      s.dims.erase(s.dims.begin() + crop.axes[0]);
      return s;
    }
    Shape s = in;
    for (int64_t a : crop.axes) s.dims[static_cast<size_t>(a)] = result->dims[static_cast<size_t>(a)];
    return s;
  }

  PassContext& ctx_;
  Graph& g_;
  CapturedNames captured_;
  DerivedConstants derived_;
  int64_t opset_;
};

void run(PassContext& ctx) {
  for (Graph* g : ctx.rw.graphs()) Hoister(ctx, *g).run();
}

}  // namespace

void register_hoist_slices(PassRegistry& r) {
  r.add({{"hoist-slices",
          PassCategory::Reordering,
          "Crop before elementwise ops, so they compute only what is kept",
          "Moves a Slice with constant parameters, a Gather of one constant scalar index, or a Split of "
          "which one output is used from after an elementwise op (unary, or broadcasting binary and "
          "variadic ops such as Add, Mul, Where, Max) to before it. Operands that broadcast along the "
          "cropped axes are read as they are, constant operands are cropped when the pass runs, and "
          "one operand of the output's rank may be cropped at run time by a copy of the crop. Refuses "
          "when the op's result is read by anything but the crop or is a graph output (the op would "
          "be computed twice), when two operands would need cropping at run time, when an operand's "
          "size along a cropped axis is unknown, and when the crop's parameters are not constant. "
          "Repeats up a chain of elementwise ops in the same run.",
          {},
          {{"hoisted", "crops moved above an elementwise op"},
           {"constants_cropped", "constant operands cropped when the pass ran"}}},
         run});
}

}  // namespace kiln::passes
