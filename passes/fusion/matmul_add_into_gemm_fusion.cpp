// fuse-matmul-add-into-gemm: a 2-D MatMul by constant weights followed by the Add of a bias
// becomes one Gemm.
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

// Whether `c` broadcasts to [m, n] in Gemm's one-directional way: rank at most 2, each dim 1 or
// equal to the output's (a known number, or the same symbol).
bool broadcasts_to(const Value* c, const Dim& m, const Dim& n) {
  if (!c->type.is_tensor() || !c->type.shape || c->type.shape->rank() > 2) return false;
  const std::vector<Dim>& d = c->type.shape->dims;
  const Dim* out[2] = {&m, &n};
  const size_t offset = 2 - d.size();
  for (size_t i = 0; i < d.size(); ++i) {
    const Dim& want = *out[i + offset];
    const bool same = want.is_known() ? d[i].value == want.value : d[i].is_symbolic() && d[i] == want;
    if (!same && !(d[i].is_known() && d[i].value == 1)) return false;
  }
  return true;
}

void run(PassContext& ctx) {
  if (!can_emit(ctx.model, "Gemm")) return;
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* add = g->find_node(id);
      if (!is_onnx_op(add, "Add") || add->num_inputs() != 2) continue;
      if (!replaceable(ctx.rw, add->output(0))) continue;
      for (size_t side = 0; side < 2; ++side) {
        Value* mid = add->input(side);
        Node* matmul = mid ? mid->producer() : nullptr;
        if (!is_onnx_op(matmul, "MatMul") || !private_to(ctx.rw, mid, add, side)) continue;
        Value* a = matmul->input(0);
        const Tensor* b = constant_of(matmul->input(1));
        if (known_rank(a) != 2 || !b || b->dims.size() != 2 || b->dtype != a->type.dtype) continue;
        if (!is_foldable_float(b->dtype)) continue;
        Value* c = add->input(1 - side);
        if (c->type.dtype != b->dtype || !broadcasts_to(c, a->type.shape->dims[0], Dim::known(b->dims[1]))) {
          ctx.stats.add("skipped_bias");
          continue;
        }
        Value* out = add->output(0);
        Node* gemm = ctx.rw.add_node(*g, "Gemm", {a, matmul->input(1), c}, {out->name()}, {matmul, add}, "", add);
        replace_and_remove(ctx.rw, out, gemm->output(0));
        ctx.stats.add("fused");
        break;
      }
    }
  }
}

}  // namespace

void register_fuse_matmul_add_into_gemm(PassRegistry& r) {
  r.add({{"fuse-matmul-add-into-gemm",
          PassCategory::Fusion,
          "Fuse MatMul + Add into Gemm",
          "A MatMul of a 2-D input by constant 2-D weights, read only by an Add whose other operand "
          "broadcasts to the product's [M, N] shape as Gemm's C may (rank at most 2, each dim 1 or "
          "equal), becomes one Gemm (float32, float16 or float64). Needs opset 11 (Gemm with "
          "one-directional broadcasting of C). Inputs of rank above 2 are left alone.",
          {},
          {{"fused", "MatMul + Add pairs fused into Gemm"},
           {"skipped_bias", "pairs left alone: the Add's other operand does not broadcast to [M, N]"}}},
         run});
}

}  // namespace kiln::passes
