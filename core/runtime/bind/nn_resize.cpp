// Resize (opsets 10, 11-12, 13-17, 18+) and Upsample (7-9) bindings.
#include <algorithm>
#include <cmath>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/resize.h"

namespace kiln::nn {

namespace {

struct ResizeAttrs {
  std::string label;
  int64_t opset = 0;
  bool upsample = false;
  std::vector<float> attr_scales;  // Upsample-7
  std::vector<int64_t> axes;
  std::string keep_aspect = "stretch";
  ResizeParams base;
};

ResizeMode parse_mode(const std::string& m, const std::string& label) {
  if (m == "nearest") return ResizeMode::Nearest;
  if (m == "linear" || m == "bilinear") return ResizeMode::Linear;
  if (m == "cubic") return ResizeMode::Cubic;
  fail(label, ": mode '", m, "' is not nearest, linear or cubic");
}

ResizeCoord parse_coord(const std::string& c, const std::string& label) {
  if (c == "half_pixel") return ResizeCoord::HalfPixel;
  if (c == "half_pixel_symmetric") return ResizeCoord::HalfPixelSymmetric;
  if (c == "pytorch_half_pixel") return ResizeCoord::PytorchHalfPixel;
  if (c == "align_corners") return ResizeCoord::AlignCorners;
  if (c == "asymmetric") return ResizeCoord::Asymmetric;
  if (c == "tf_half_pixel_for_nn") return ResizeCoord::TfHalfPixelForNn;
  if (c == "tf_crop_and_resize") return ResizeCoord::TfCropAndResize;
  fail(label, ": coordinate_transformation_mode '", c, "' is not supported");
}

ResizeNearest parse_nearest(const std::string& n, const std::string& label) {
  if (n == "round_prefer_floor") return ResizeNearest::RoundPreferFloor;
  if (n == "round_prefer_ceil") return ResizeNearest::RoundPreferCeil;
  if (n == "floor") return ResizeNearest::Floor;
  if (n == "ceil") return ResizeNearest::Ceil;
  fail(label, ": nearest_mode '", n, "' is not supported");
}

std::vector<double> doubles_of(const RtTensor& t, const std::string& label, const char* what) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::Float32)
    std::copy(t.data<float>(), t.data<float>() + t.numel(), v.begin());
  else if (t.dtype() == DataType::Float64)
    std::copy(t.data<double>(), t.data<double>() + t.numel(), v.begin());
  else
    fail(label, ": ", what, " must be float or double");
  return v;
}

void run_resize(const ResizeAttrs& ra, KernelContext& ctx) {
  const std::string& label = ra.label;
  const RtTensor& x = need_input(ctx, 0, label);
  const size_t rank = x.rank();
  const RtTensor *roi = nullptr, *scales_t = nullptr, *sizes_t = nullptr;
  auto opt = [&](size_t i) -> const RtTensor* {
    const RtTensor* t = ctx.input_count() > i ? ctx.input(i) : nullptr;
    return t && t->numel() > 0 ? t : nullptr;
  };
  if (ra.upsample || ra.opset < 11) {
    scales_t = opt(1);
  } else {
    roi = opt(1), scales_t = opt(2), sizes_t = opt(3);
  }
  // Axes the scales/sizes/roi refer to (all by default).
  std::vector<int64_t> axes = ra.axes;
  if (axes.empty())
    for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(i));
  for (int64_t& a : axes) {
    if (a < 0) a += static_cast<int64_t>(rank);
    if (a < 0 || a >= static_cast<int64_t>(rank)) fail(label, ": axes out of range for rank ", std::to_string(rank));
  }
  ResizeParams p = ra.base;
  p.in_shape = x.shape();
  p.out_shape = x.shape();
  p.scales.assign(rank, 1.0);
  p.roi_start.assign(rank, 0.0);
  p.roi_end.assign(rank, 1.0);
  std::vector<double> sc;
  if (!ra.attr_scales.empty()) sc.assign(ra.attr_scales.begin(), ra.attr_scales.end());
  if (scales_t) sc = doubles_of(*scales_t, label, "scales");
  if (sizes_t) {
    if (sizes_t->dtype() != DataType::Int64) fail(label, ": sizes must be int64");
    if (sizes_t->numel() != static_cast<int64_t>(axes.size()))
      fail(label, ": sizes has ", std::to_string(sizes_t->numel()), " values, expected ", std::to_string(axes.size()));
    const int64_t* sz = sizes_t->data<int64_t>();
    if (ra.keep_aspect == "stretch") {
      for (size_t i = 0; i < axes.size(); ++i) {
        p.out_shape[axes[i]] = sz[i];
        p.scales[axes[i]] = static_cast<double>(sz[i]) / static_cast<double>(x.dim(axes[i]));
      }
    } else {
      double s = ra.keep_aspect == "not_larger" ? 1e300 : 0.0;
      for (size_t i = 0; i < axes.size(); ++i) {
        const double r = static_cast<double>(sz[i]) / static_cast<double>(x.dim(axes[i]));
        s = ra.keep_aspect == "not_larger" ? std::min(s, r) : std::max(s, r);
      }
      for (int64_t a : axes) {
        p.out_shape[a] = static_cast<int64_t>(std::nearbyint(s * static_cast<double>(x.dim(a))));
        p.scales[a] = s;
      }
    }
  } else if (!sc.empty()) {
    if (sc.size() != axes.size())
      fail(label, ": scales has ", std::to_string(sc.size()), " values, expected ", std::to_string(axes.size()));
    for (size_t i = 0; i < axes.size(); ++i) {
      if (sc[i] <= 0) fail(label, ": scales must be positive");
      p.scales[axes[i]] = sc[i];
      p.out_shape[axes[i]] = static_cast<int64_t>(std::floor(static_cast<double>(x.dim(axes[i])) * sc[i]));
    }
  } else {
    fail(label, ": one of scales and sizes is required");
  }
  if (roi && p.coord == ResizeCoord::TfCropAndResize) {
    const std::vector<double> r = doubles_of(*roi, label, "roi");
    if (r.size() != 2 * axes.size()) fail(label, ": roi must hold 2 values per axis");
    for (size_t i = 0; i < axes.size(); ++i) {
      p.roi_start[axes[i]] = r[i];
      p.roi_end[axes[i]] = r[axes.size() + i];
    }
  }
  RtTensor& y = ctx.output(0, x.dtype(), p.out_shape);
  dispatch_float(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    resize_ref<T>(p, x.data<T>(), y.data<T>());
  });
}

std::unique_ptr<OpKernel> make_resize_like(const KernelInit& init, bool upsample) {
  const Node& n = init.node;
  ResizeAttrs ra;
  ra.label = node_label(n);
  ra.opset = init.opset;
  ra.upsample = upsample;
  ra.base.mode = parse_mode(n.attr_string("mode", "nearest"), ra.label);
  if (upsample || init.opset < 11) {
    // Upsample and Resize-10 predate the coordinate modes: x_in = x_out / scale.
    ra.base.coord = ResizeCoord::Asymmetric;
    ra.base.nearest = ResizeNearest::Simple;
    ra.attr_scales = n.attr_floats("scales");
  } else {
    ra.base.coord = parse_coord(n.attr_string("coordinate_transformation_mode", "half_pixel"), ra.label);
    ra.base.nearest = parse_nearest(n.attr_string("nearest_mode", "round_prefer_floor"), ra.label);
    ra.base.cubic_a = n.attr_float("cubic_coeff_a", -0.75f);
    ra.base.exclude_outside = n.attr_int("exclude_outside", 0) != 0;
    ra.base.extrapolation_value = n.attr_float("extrapolation_value", 0.f);
    ra.base.antialias = n.attr_int("antialias", 0) != 0;
    ra.axes = n.attr_ints("axes");
    ra.keep_aspect = n.attr_string("keep_aspect_ratio_policy", "stretch");
    if (ra.keep_aspect != "stretch" && ra.keep_aspect != "not_larger" && ra.keep_aspect != "not_smaller")
      fail(ra.label, ": keep_aspect_ratio_policy '", ra.keep_aspect, "' is not supported");
  }
  return make_kernel([ra](KernelContext& ctx) { run_resize(ra, ctx); });
}

}  // namespace

void register_nn_resize_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "Resize", 10, 1000, Backend::Ref, bind::half_storage([](const KernelInit& i) { return make_resize_like(i, false); })});
  r.add(KernelDef{"", "Upsample", 7, 9, Backend::Ref, bind::half_storage([](const KernelInit& i) { return make_resize_like(i, true); })});
}

}  // namespace kiln::nn
