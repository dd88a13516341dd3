// fuse-transpose-into-gemm: a 2-D Transpose feeding Gemm's A or B (or a 2-D MatMul) becomes the
// Gemm's transA/transB flag.
#include "passes/fusion/fusion_helpers.h"
#include "passes/fusion/fusion_passes.h"
#include "passes/framework/opset_gates.h"

namespace kiln::passes {
namespace {

// The input of a Transpose swapping the two axes of a matrix when only `reader` reads its output,
// at `index`; nullptr otherwise.
Value* swapped_matrix(Rewriter& rw, const Value* v, const Node* reader, size_t index) {
  const Node* t = v ? v->producer() : nullptr;
  if (!is_onnx_op(t, "Transpose") || !private_to(rw, v, reader, index)) return nullptr;
  const std::optional<std::vector<int64_t>> perm = transpose_perm(t);
  if (!perm || *perm != std::vector<int64_t>{1, 0}) return nullptr;
  return t->input(0);
}

void run(PassContext& ctx) {
  // A Gemm that gets its flags flipped keeps the form the model already uses; a MatMul turned
  // into a Gemm without C needs opset 11.
  const bool matmul_to_gemm = can_emit(ctx.model, "Gemm");
  for (Graph* g : ctx.rw.graphs()) {
    for (NodeId id : node_ids(*g)) {
      Node* n = g->find_node(id);
      const bool matmul = is_onnx_op(n, "MatMul");
      if (!(matmul && matmul_to_gemm) && !is_onnx_op(n, "Gemm")) continue;
      Value* out = n->output(0);
      if (n->num_inputs() < 2 || !replaceable(ctx.rw, out)) continue;
      Value* swapped[2] = {swapped_matrix(ctx.rw, n->input(0), n, 0), swapped_matrix(ctx.rw, n->input(1), n, 1)};
      if (!swapped[0] && !swapped[1]) continue;
      // MatMul broadcasts and promotes 1-D operands, so only its plain matrix product is a Gemm;
      // Gemm's integer types depend on the opset, so only float types go over.
      if (matmul && (known_rank(n->input(0)) != 2 || known_rank(n->input(1)) != 2 || !is_foldable_float(out->type.dtype)))
        continue;
      std::vector<Value*> inputs = n->inputs();
      std::vector<const Node*> from = {n};
      for (size_t i = 0; i < 2; ++i)
        if (swapped[i]) {
          from.push_back(inputs[i]->producer());
          inputs[i] = swapped[i];
        }
      Node* gemm = ctx.rw.add_node(*g, "Gemm", inputs, {out->name()}, from, "", n);
      if (!matmul) copy_attrs(ctx.rw, n, gemm, {"transA", "transB"});
      const char* flag[2] = {"transA", "transB"};
      for (size_t i = 0; i < 2; ++i) {
        const int64_t t = matmul ? 0 : n->attr_int(flag[i], 0);
        if ((t != 0) != (swapped[i] != nullptr)) ctx.rw.set_attr(gemm, Attribute::make_int(flag[i], 1));
      }
      replace_and_remove(ctx.rw, out, gemm->output(0));
      ctx.stats.add(matmul ? "matmuls_to_gemm" : "gemm_flags_flipped");
    }
  }
}

}  // namespace

void register_fuse_transpose_into_gemm(PassRegistry& r) {
  r.add({{"fuse-transpose-into-gemm",
          PassCategory::Fusion,
          "Fold 2-D Transposes into Gemm's transA/transB",
          "A Transpose with perm [1, 0] (or no perm on a matrix) whose output only Gemm's A or B "
          "reads is dropped and the matching transA/transB flag flipped. A MatMul of two matrices "
          "(rank 2, float32/float16/float64) with such a Transpose on either input becomes a Gemm "
          "with the flag set; that needs opset 11 (Gemm without C).",
          {},
          {{"gemm_flags_flipped", "Gemm nodes whose input Transposes were folded"},
           {"matmuls_to_gemm", "MatMul nodes with a transposed input rewritten as Gemm"}}},
         run});
}

}  // namespace kiln::passes
