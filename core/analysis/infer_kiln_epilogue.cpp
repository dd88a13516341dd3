// Shape and type rules for the Kiln-domain ops of the epilogue passes: FusedConv, FusedGemm,
// FusedMatMul and Attention (semantics in core/ir/kiln_epilogue_ops.h). The fused ops have their
// base op's output; the epilogue (bias, residual, activation) never changes it.
#include "core/analysis/infer_context.h"
#include "core/analysis/infer_shared.h"
#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_epilogue_ops.h"

namespace kiln::analysis {

namespace {

void check_activation(InferContext& c) {
  const std::string name = c.node().attr_string("activation", "");
  const KilnActivationInfo* a = find_kiln_activation(name);
  if (!a) {
    c.warn("unknown activation '" + name + "'");
    return;
  }
  if (c.node().attr_floats("activation_params").size() != a->param_count)
    c.warn("activation " + name + " takes " + std::to_string(a->param_count) + " activation_params");
}

// A residual (input `i`) must broadcast to the output shape without changing it.
void check_residual(InferContext& c, size_t i, const Shape& out) {
  const Shape* z = c.shape(i);
  if (!z) return;
  bool conflict = z->rank() > out.rank();
  if (!conflict) {
    const Shape b = broadcast_shapes(out, *z, &conflict);
    for (size_t d = 0; d < b.rank() && !conflict; ++d)
      conflict = b.dims[d].is_known() && out.dims[d].is_known() && b.dims[d].value != out.dims[d].value;
  }
  if (conflict) c.warn("input " + std::to_string(i) + " " + z->str() + " does not broadcast to the output " + out.str());
}

void fused_conv(InferContext& c) {
  check_activation(c);
  const DataType dt = c.dtype(0);
  auto s = conv_output_shape(c, 0, 1);
  if (!s) {
    c.set(0, ValueType::tensor(dt));
    return;
  }
  check_residual(c, 3, *s);
  c.set(0, dt, std::move(*s));
}

void fused_gemm(InferContext& c) {
  check_activation(c);
  const DataType dt = c.dtype(0);
  const Shape* a = c.shape(0);
  const Shape* b = c.shape(1);
  if (!a || !b) {
    c.set(0, dt, Shape(std::vector<Dim>(2)));
    return;
  }
  if (auto out = gemm_output_shape(c, *a, *b)) c.set(0, dt, std::move(*out));
}

void fused_matmul(InferContext& c) {
  check_activation(c);
  const DataType dt = c.dtype(0);
  const Shape* a = c.shape(0);
  const Shape* b = c.shape(1);
  std::optional<Shape> out;
  if (a && b) out = matmul_output_shape(c, *a, *b);
  if (!out) {
    c.set(0, ValueType::tensor(dt));
    return;
  }
  if (const Shape* bias = c.shape(2)) {
    bool conflict = bias->rank() != 1 || out->rank() == 0;
    if (!conflict) refine_dim(bias->dims[0], out->dims.back(), &conflict);
    if (conflict) c.warn("bias " + bias->str() + " is not 1-D along the last axis of " + out->str());
  }
  check_residual(c, 3, *out);
  c.set(0, dt, std::move(*out));
}

// Q·Kᵀ·V shapes, per head (num_heads 0) or over [B, S, H·D] operands split inside (num_heads H).
void attention(InferContext& c) {
  const DataType dt = c.dtype(0);
  const Shape* q = c.shape(0);
  const Shape* k = c.shape(1);
  const Shape* v = c.shape(2);
  const int64_t heads = c.node().attr_int("num_heads", 0);
  const bool k_transposed = c.node().attr_int("k_transposed", 0) != 0;
  if (heads < 0 || (heads > 0 && k_transposed)) {
    c.warn("num_heads must be >= 0, and k_transposed 0 when it is positive");
    return;
  }
  if (!q || !v) {
    c.set(0, ValueType::tensor(dt));
    return;
  }
  bool conflict = false;
  if (heads > 0) {
    if (q->rank() != 3 || v->rank() != 3 || (k && k->rank() != 3)) {
      c.warn("with num_heads, Q, K and V must be [batch, seq, heads * head_size]");
      return;
    }
    for (const Shape* s : {q, k, v})
      if (s && s->dims[2].is_known() && s->dims[2].value % heads != 0)
        c.warn("hidden size " + s->str() + " is not a multiple of num_heads " + std::to_string(heads));
    const Dim batch = refine_dim(q->dims[0], v->dims[0], &conflict);
    if (k) {
      refine_dim(q->dims[2], k->dims[2], &conflict);
      refine_dim(k->dims[1], v->dims[1], &conflict);
    }
    if (conflict) c.warn("Q " + q->str() + ", K and V " + v->str() + " do not match");
    c.set(0, dt, Shape({batch, q->dims[1], v->dims[2]}));
    return;
  }
  if (q->rank() < 2 || v->rank() < 2 || (k && k->rank() < 2)) {
    c.warn("Q, K and V must have rank >= 2");
    return;
  }
  Shape batch(std::vector<Dim>(q->dims.begin(), q->dims.end() - 2));
  if (k) {
    const size_t r = k->rank();
    refine_dim(q->dims.back(), k->dims[k_transposed ? r - 2 : r - 1], &conflict);
    refine_dim(k->dims[k_transposed ? r - 1 : r - 2], v->dims[v->rank() - 2], &conflict);
    batch = broadcast_shapes(batch, Shape(std::vector<Dim>(k->dims.begin(), k->dims.end() - 2)), &conflict);
  }
  batch = broadcast_shapes(batch, Shape(std::vector<Dim>(v->dims.begin(), v->dims.end() - 2)), &conflict);
  if (conflict) c.warn("Q " + q->str() + ", K and V " + v->str() + " do not multiply");
  batch.dims.push_back(q->dims[q->rank() - 2]);
  batch.dims.push_back(v->dims.back());
  c.set(0, dt, std::move(batch));
}

}  // namespace

void add_kiln_epilogue_rules(RuleTable& t) {
  t.add("FusedConv", 1, fused_conv, kOpsetOpen, kKilnDomain);
  t.add("FusedGemm", 1, fused_gemm, kOpsetOpen, kKilnDomain);
  t.add("FusedMatMul", 1, fused_matmul, kOpsetOpen, kKilnDomain);
  t.add("Attention", 1, attention, kOpsetOpen, kKilnDomain);
}

}  // namespace kiln::analysis
