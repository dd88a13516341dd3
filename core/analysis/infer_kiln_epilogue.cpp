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
  if (c.has_input(3)) {
    const Shape* z = c.shape(3);
    if (!z) {
      c.set(0, ValueType::tensor(dt));
      return;
    }
    bool conflict = false;
    out = broadcast_shapes(*out, *z, &conflict);
    if (conflict) c.warn("residual " + z->str() + " does not broadcast with the product");
  }
  c.set(0, dt, std::move(*out));
}

// Per head: [.., Sq, D] x [.., Sk, D] (or [.., D, Sk]) x [.., Sk, Dv]; with num_heads, the
// [B, S, H·D] operands viewed as [B, H, S, D] and the result merged back.
void attention(InferContext& c) {
  const DataType dt = c.dtype(0);
  const int64_t heads = c.node().attr_int("num_heads", 0);
  const bool k_transposed = c.node().attr_int("k_transposed", 0) != 0;
  if (heads < 0 || (heads > 0 && k_transposed)) {
    c.warn("num_heads must be >= 0, and k_transposed 0 when it is positive");
    return;
  }
  const Shape* shapes[3] = {c.shape(0), c.shape(1), c.shape(2)};
  const Shape* mask = c.shape(3);
  if (!shapes[0] || !shapes[1] || !shapes[2] || (c.has_input(3) && !mask)) {
    c.set(0, ValueType::tensor(dt));
    return;
  }
  Shape q = *shapes[0], k = *shapes[1], v = *shapes[2];
  if (heads > 0) {
    // [B, S, H·D] -> [B, H, S, D]; K to [B, H, D, S].
    auto split = [&](const Shape& x, bool transpose) -> std::optional<Shape> {
      if (x.rank() != 3) return std::nullopt;
      Dim d = Dim::unknown();
      if (x.dims[2].is_known()) {
        if (x.dims[2].value % heads != 0) return std::nullopt;
        d = Dim::known(x.dims[2].value / heads);
      }
      return transpose ? Shape({x.dims[0], Dim::known(heads), d, x.dims[1]})
                       : Shape({x.dims[0], Dim::known(heads), x.dims[1], d});
    };
    auto qs = split(q, false), ks = split(k, true), vs = split(v, false);
    if (!qs || !ks || !vs) {
      c.warn("with num_heads " + std::to_string(heads) + ", Q, K and V must be [batch, seq, heads * head_size]");
      return;
    }
    q = *qs, k = *ks, v = *vs;
  } else if (!k_transposed && k.rank() >= 2) {
    std::swap(k.dims[k.rank() - 1], k.dims[k.rank() - 2]);
  }
  auto scores = matmul_output_shape(c, q, k);
  if (!scores) return;
  if (mask) {
    bool conflict = false;
    scores = broadcast_shapes(*scores, *mask, &conflict);
    if (conflict) c.warn("mask " + mask->str() + " does not broadcast with the scores");
  }
  auto out = matmul_output_shape(c, *scores, v);
  if (!out) return;
  if (heads > 0) {
    if (out->rank() != 4) {
      c.warn("the mask gives the heads rank " + std::to_string(out->rank()));
      return;
    }
    const Dim& dv = out->dims[3];
    *out = Shape({out->dims[0], out->dims[2], dv.is_known() ? Dim::known(dv.value * heads) : Dim::unknown()});
  }
  c.set(0, dt, std::move(*out));
}

}  // namespace

void add_kiln_epilogue_rules(RuleTable& t) {
  t.add("FusedConv", 1, fused_conv, kOpsetOpen, kKilnDomain);
  t.add("FusedGemm", 1, fused_gemm, kOpsetOpen, kKilnDomain);
  t.add("FusedMatMul", 1, fused_matmul, kOpsetOpen, kKilnDomain);
  t.add("Attention", 1, attention, kOpsetOpen, kKilnDomain);
}

}  // namespace kiln::analysis
