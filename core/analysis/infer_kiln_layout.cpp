// Shape and type rules for the Kiln-domain ops of the layout passes (core/ir/kiln_layout_ops.h).
// A channels-last op's window arithmetic is its NCHW namesake's: the rules look at the NHWC input
// as the NCHW shape it stands for and reuse the Conv/pool arithmetic of infer_shared.h.
#include "core/analysis/infer_context.h"
#include "core/analysis/infer_shared.h"
#include "core/ir/kiln_domain.h"
#include "core/ir/kiln_layout_ops.h"

namespace kiln::analysis {

namespace {

// The 4-D NHWC shape of input 0, or nullptr (after a warning when the rank is known but wrong).
const Shape* nhwc_input(InferContext& c) {
  const Shape* x = c.shape(0);
  if (x && x->rank() != 4) {
    c.warn("input must be 4-D [N, H, W, C], got rank " + std::to_string(x->rank()));
    return nullptr;
  }
  return x;
}

Shape as_nchw(const Shape& nhwc) { return Shape({nhwc.dims[0], nhwc.dims[3], nhwc.dims[1], nhwc.dims[2]}); }

// [N, H', W', channels] from the window over x's H and W, or nullopt after a warning.
std::optional<Shape> windowed(InferContext& c, const Shape& x, const std::vector<int64_t>& kernel,
                              bool ceil_mode, const Dim& channels) {
  auto spatial = window_output_dims(c, as_nchw(x), kernel, ceil_mode);
  if (!spatial) return std::nullopt;
  return Shape({x.dims[0], (*spatial)[0], (*spatial)[1], channels});
}

void nhwc_conv(InferContext& c) {
  const DataType dt = c.dtype(0);
  const Shape* x = nhwc_input(c);
  const Shape* w = c.shape(1);
  if (!x) return c.set_dtype(0, dt);
  // OHWI weights: M first, the kernel's H and W next.
  const bool ohwi = w && w->rank() == 4;
  const Dim out_channels = ohwi ? w->dims[0] : Dim::unknown();
  std::vector<int64_t> kernel;
  if (auto k = attr_ints_opt(c.node(), "kernel_shape")) {
    kernel = *k;
  } else if (ohwi && w->dims[1].is_known() && w->dims[2].is_known()) {
    kernel = {w->dims[1].value, w->dims[2].value};
  }
  if (kernel.empty()) {
    // Kernel sizes unknown: batch, channels and the rank still are.
    return c.set(0, dt, Shape({x->dims[0], Dim::unknown(), Dim::unknown(), out_channels}));
  }
  auto out = windowed(c, *x, kernel, false, out_channels);
  c.set(0, out ? ValueType::tensor(dt, std::move(*out)) : ValueType::tensor(dt));
}

void nhwc_pool(InferContext& c) {
  const DataType dt = c.dtype(0);
  const Shape* x = nhwc_input(c);
  auto kernel = attr_ints_opt(c.node(), "kernel_shape");
  if (!kernel) c.warn("attribute 'kernel_shape' is missing");
  if (!x || !kernel) return c.set_dtype(0, dt);
  auto out = windowed(c, *x, *kernel, c.node().attr_int("ceil_mode", 0) != 0, x->dims[3]);
  c.set(0, out ? ValueType::tensor(dt, std::move(*out)) : ValueType::tensor(dt));
}

void nhwc_global_pool(InferContext& c) {
  const DataType dt = c.dtype(0);
  const Shape* x = nhwc_input(c);
  if (!x) return c.set_dtype(0, dt);
  c.set(0, dt, Shape({x->dims[0], Dim::known(1), Dim::known(1), x->dims[3]}));
}

}  // namespace

void add_kiln_layout_rules(RuleTable& t) {
  t.add(layout::kNhwcConv, kKilnOpsetVersion, nhwc_conv, kOpsetOpen, kKilnDomain);
  t.add(layout::kNhwcMaxPool, kKilnOpsetVersion, nhwc_pool, kOpsetOpen, kKilnDomain);
  t.add(layout::kNhwcAveragePool, kKilnOpsetVersion, nhwc_pool, kOpsetOpen, kKilnDomain);
  t.add(layout::kNhwcGlobalAveragePool, kKilnOpsetVersion, nhwc_global_pool, kOpsetOpen, kKilnDomain);
  t.add(layout::kNhwcGlobalMaxPool, kKilnOpsetVersion, nhwc_global_pool, kOpsetOpen, kKilnDomain);
}

}  // namespace kiln::analysis
