// Conv and ConvTranspose bindings: attribute resolution, output shapes, auto_pad.
#include <algorithm>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/conv.h"

namespace kiln::nn {

namespace {

// Copies per-dim values into the kernel's three slots, right-aligned (leading dims stay 1/0).
void place(std::array<int64_t, 3>& dst, const std::vector<int64_t>& src, size_t off = 0, size_t n = 0) {
  if (n == 0) n = src.size() - off;
  for (size_t i = 0; i < n; ++i) dst[3 - n + i] = src[off + i];
}

template <class T>
void run_conv(bool transpose, const ConvParams& p, const RtTensor& x, const RtTensor& w, const RtTensor* b,
              RtTensor& y) {
  const T* bp = b ? b->data<T>() : nullptr;
  if constexpr (std::is_same_v<T, float>) {
    if (transpose)
      f32_conv_transpose_ref(p, x.data<T>(), w.data<T>(), bp, y.data<T>());
    else
      f32_conv_ref(p, x.data<T>(), w.data<T>(), bp, y.data<T>());
  } else {
    if (transpose)
      f64_conv_transpose_ref(p, x.data<T>(), w.data<T>(), bp, y.data<T>());
    else
      f64_conv_ref(p, x.data<T>(), w.data<T>(), bp, y.data<T>());
  }
}

std::unique_ptr<OpKernel> make_conv(const KernelInit& init) {
  const ConvAttrs cc = ConvAttrs::read(init.node);
  return make_kernel([cc](KernelContext& ctx) {
    const RtTensor* b = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    conv_forward(ctx, cc, need_input(ctx, 0, cc.label), need_input(ctx, 1, cc.label), b);
  });
}

std::unique_ptr<OpKernel> make_conv_transpose(const KernelInit& init) {
  const ConvAttrs cc = ConvAttrs::read(init.node);
  const std::vector<int64_t> output_padding = init.node.attr_ints("output_padding");
  const std::vector<int64_t> output_shape = init.node.attr_ints("output_shape");
  return make_kernel([cc, output_padding, output_shape](KernelContext& ctx) {
    const RtTensor& x = need_input(ctx, 0, cc.label);
    const RtTensor& w = need_input(ctx, 1, cc.label);
    const RtTensor* b = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    const size_t sp = cc.check(x, w, b, w.dim(1) * cc.group);
    SpatialAttrs a = cc.sa;
    if (a.kernel_shape.empty()) a.kernel_shape.assign(w.shape().begin() + 2, w.shape().end());
    a.resolve(sp, cc.label);
    if (x.dim(1) != w.dim(0) || w.dim(0) % cc.group != 0)
      fail(cc.label, ": X ", shape_str(x.shape()), " and W ", shape_str(w.shape()), " do not match group ",
           std::to_string(cc.group));
    std::vector<int64_t> opad = output_padding.empty() ? std::vector<int64_t>(sp, 0) : output_padding;
    if (opad.size() != sp) fail(cc.label, ": output_padding must have one value per spatial dim");
    // output_shape may also list N and C.
    std::vector<int64_t> oshape = output_shape;
    if (oshape.size() == sp + 2) oshape.erase(oshape.begin(), oshape.begin() + 2);
    if (!oshape.empty() && oshape.size() != sp) fail(cc.label, ": output_shape must have one value per spatial dim");
    const bool same = a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER";
    ConvParams p;
    p.batch = x.dim(0), p.in_channels = x.dim(1), p.out_channels = w.dim(1) * cc.group, p.group = cc.group;
    std::vector<int64_t> out(sp), pb(sp);
    for (size_t i = 0; i < sp; ++i) {
      const int64_t in = x.dim(2 + i), s = a.strides[i];
      const int64_t ek = (a.kernel_shape[i] - 1) * a.dilations[i] + 1;
      const int64_t full = s * (in - 1) + opad[i] + ek;
      if (!oshape.empty() || same) {
        out[i] = !oshape.empty() ? oshape[i] : in * s;
        const int64_t total = full - out[i];
        // SAME_UPPER puts the smaller half first, NOTSET and SAME_LOWER the larger. Halves are
        // floored (a negative total, an output larger than the full one, pads at the end).
        const int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2);
        pb[i] = a.auto_pad == "SAME_UPPER" ? half : total - half;
      } else {
        const int64_t pbeg = a.auto_pad == "VALID" ? 0 : a.pads[i];
        const int64_t pend = a.auto_pad == "VALID" ? 0 : a.pads[sp + i];
        out[i] = full - pbeg - pend;
        pb[i] = pbeg;
      }
      if (out[i] < 0) fail(cc.label, ": negative output size");
    }
    place(p.in, x.shape(), 2);
    place(p.out, out);
    place(p.kernel, a.kernel_shape);
    place(p.stride, a.strides);
    place(p.dilation, a.dilations);
    place(p.pad_begin, pb);
    std::vector<int64_t> yshape{x.dim(0), p.out_channels};
    yshape.insert(yshape.end(), out.begin(), out.end());
    RtTensor& y = ctx.output(0, x.dtype(), yshape);
    dispatch_float(x.dtype(), cc.label, [&](auto tag) { run_conv<decltype(tag)>(true, p, x, w, b, y); });
  });
}

}  // namespace

ConvAttrs ConvAttrs::read(const Node& n) {
  return ConvAttrs{node_label(n), SpatialAttrs::read(n), n.attr_int("group", 1)};
}

size_t ConvAttrs::check(const RtTensor& x, const RtTensor& w, const RtTensor* b, int64_t bias_len) const {
  if (x.rank() < 3 || x.rank() > 5) fail(label, ": X must have 1 to 3 spatial dims, got ", shape_str(x.shape()));
  if (w.rank() != x.rank()) fail(label, ": W ", shape_str(w.shape()), " and X ", shape_str(x.shape()), " differ in rank");
  if (x.dtype() != w.dtype() || (b && b->dtype() != x.dtype())) fail(label, ": X, W and B have different element types");
  if (b && (b->rank() != 1 || b->dim(0) != bias_len))
    fail(label, ": B ", shape_str(b->shape()), " must be [", std::to_string(bias_len), "]");
  if (group < 1) fail(label, ": group must be positive");
  return x.rank() - 2;
}

ConvParams conv_params(const ConvAttrs& cc, const RtTensor& x, const RtTensor& w, const RtTensor* b,
                       std::vector<int64_t>& yshape) {
  const size_t sp = cc.check(x, w, b, w.dim(0));
  SpatialAttrs a = cc.sa;
  if (a.kernel_shape.empty()) a.kernel_shape.assign(w.shape().begin() + 2, w.shape().end());
  a.resolve(sp, cc.label);
  if (x.dim(1) != w.dim(1) * cc.group || w.dim(0) % cc.group != 0)
    fail(cc.label, ": X ", shape_str(x.shape()), " and W ", shape_str(w.shape()), " do not match group ",
         std::to_string(cc.group));
  for (size_t i = 0; i < sp; ++i)
    if (a.kernel_shape[i] != w.dim(2 + i)) fail(cc.label, ": kernel_shape does not match W ", shape_str(w.shape()));
  ConvParams p;
  p.batch = x.dim(0), p.in_channels = x.dim(1), p.out_channels = w.dim(0), p.group = cc.group;
  std::vector<int64_t> out(sp), pb(sp);
  for (size_t i = 0; i < sp; ++i) {
    const int64_t in = x.dim(2 + i), s = a.strides[i];
    const int64_t ek = (a.kernel_shape[i] - 1) * a.dilations[i] + 1;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      out[i] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out[i] - 1) * s + ek - in);
      pb[i] = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else {
      const int64_t pbeg = a.auto_pad == "VALID" ? 0 : a.pads[i];
      const int64_t pend = a.auto_pad == "VALID" ? 0 : a.pads[sp + i];
      const int64_t span = in + pbeg + pend - ek;
      if (span < 0) fail(cc.label, ": kernel larger than padded input ", shape_str(x.shape()));
      out[i] = span / s + 1;
      pb[i] = pbeg;
    }
  }
  place(p.in, x.shape(), 2);
  place(p.out, out);
  place(p.kernel, a.kernel_shape);
  place(p.stride, a.strides);
  place(p.dilation, a.dilations);
  place(p.pad_begin, pb);
  yshape = {x.dim(0), w.dim(0)};
  yshape.insert(yshape.end(), out.begin(), out.end());
  return p;
}

RtTensor& conv_forward(KernelContext& ctx, const ConvAttrs& cc, const RtTensor& x, const RtTensor& w,
                       const RtTensor* b) {
  std::vector<int64_t> yshape;
  const ConvParams p = conv_params(cc, x, w, b, yshape);
  RtTensor& y = ctx.output(0, x.dtype(), yshape);
  dispatch_float(x.dtype(), cc.label, [&](auto tag) { run_conv<decltype(tag)>(false, p, x, w, b, y); });
  return y;
}

void register_nn_conv_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "Conv", 1, 1000, Backend::Ref, bind::half_storage(make_conv)});
  r.add(KernelDef{"", "ConvTranspose", 1, 1000, Backend::Ref, bind::half_storage(make_conv_transpose)});
}

}  // namespace kiln::nn
