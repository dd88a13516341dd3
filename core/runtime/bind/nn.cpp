// NN kernel bindings: MatMul and Gemm here; convolutions, norms and pooling in bind/nn_*.cpp.
#include <algorithm>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/gemm.h"

namespace kiln {

namespace nn {

int64_t shape_numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

SpatialAttrs SpatialAttrs::read(const Node& n) {
  SpatialAttrs a;
  a.auto_pad = n.attr_string("auto_pad", "NOTSET");
  a.kernel_shape = n.attr_ints("kernel_shape");
  a.strides = n.attr_ints("strides");
  a.dilations = n.attr_ints("dilations");
  a.pads = n.attr_ints("pads");
  if (a.auto_pad != "NOTSET" && a.auto_pad != "SAME_UPPER" && a.auto_pad != "SAME_LOWER" &&
      a.auto_pad != "VALID")
    fail(node_label(n), ": auto_pad '", a.auto_pad, "' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  return a;
}

void SpatialAttrs::resolve(size_t spatial, const std::string& label) {
  auto fill = [&](std::vector<int64_t>& v, size_t n, int64_t dflt, const char* what) {
    if (v.empty()) v.assign(n, dflt);
    if (v.size() != n)
      fail(label, ": ", what, " has ", std::to_string(v.size()), " values, expected ", std::to_string(n));
  };
  fill(strides, spatial, 1, "strides");
  fill(dilations, spatial, 1, "dilations");
  fill(pads, spatial * 2, 0, "pads");
  if (kernel_shape.size() != spatial)
    fail(label, ": kernel_shape has ", std::to_string(kernel_shape.size()), " values, expected ",
         std::to_string(spatial));
  for (size_t i = 0; i < spatial; ++i)
    if (strides[i] < 1 || dilations[i] < 1 || kernel_shape[i] < 1)
      fail(label, ": strides, dilations and kernel_shape must be positive");
}

namespace {

template <class T>
void gemm(const GemmParams& p, const T* a, const T* b, T* y) {
  if constexpr (std::is_same_v<T, float>)
    f32_gemm_ref(p, a, b, y);
  else
    f64_gemm_ref(p, a, b, y);
}

std::unique_ptr<OpKernel> make_matmul(const KernelInit& init) {
  const std::string label = node_label(init.node);
  return make_kernel([label](KernelContext& ctx) {
    const RtTensor& a = need_input(ctx, 0, label);
    const RtTensor& b = need_input(ctx, 1, label);
    if (a.dtype() != b.dtype()) fail(label, ": A and B have different element types");
    if (a.rank() == 0 || b.rank() == 0) fail(label, ": MatMul operands must have rank >= 1");
    // numpy.matmul: a 1-D A is a row vector, a 1-D B a column vector; the added dim is dropped.
    std::vector<int64_t> as = a.shape(), bs = b.shape();
    const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
    if (a_vec) as.insert(as.begin(), 1);
    if (b_vec) bs.push_back(1);
    const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
    if (bs[bs.size() - 2] != k)
      fail(label, ": inner dimensions differ: A ", shape_str(a.shape()), ", B ", shape_str(b.shape()));
    const size_t batch_rank = std::max(as.size(), bs.size()) - 2;
    std::vector<int64_t> ab(batch_rank, 1), bb(batch_rank, 1), ob(batch_rank);
    std::copy(as.begin(), as.end() - 2, ab.begin() + (batch_rank - (as.size() - 2)));
    std::copy(bs.begin(), bs.end() - 2, bb.begin() + (batch_rank - (bs.size() - 2)));
    for (size_t i = 0; i < batch_rank; ++i) {
      if (ab[i] != bb[i] && ab[i] != 1 && bb[i] != 1)
        fail(label, ": batch dimensions do not broadcast: A ", shape_str(a.shape()), ", B ",
             shape_str(b.shape()));
      ob[i] = ab[i] == 1 ? bb[i] : ab[i];
    }
    std::vector<int64_t> out_shape = ob;
    if (!a_vec) out_shape.push_back(m);
    if (!b_vec) out_shape.push_back(n);
    RtTensor& y = ctx.output(0, a.dtype(), out_shape);
    dispatch_float(a.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      const int64_t batches = shape_numel(ob);
      GemmParams p;
      p.m = m, p.n = n, p.k = k;
      std::vector<int64_t> idx(batch_rank, 0);
      for (int64_t bi = 0; bi < batches; ++bi) {
        int64_t ao = 0, bo = 0;
        for (size_t d = 0; d < batch_rank; ++d) {
          ao = ao * ab[d] + (ab[d] == 1 ? 0 : idx[d]);
          bo = bo * bb[d] + (bb[d] == 1 ? 0 : idx[d]);
        }
        gemm<T>(p, a.data<T>() + ao * m * k, b.data<T>() + bo * k * n, y.data<T>() + bi * m * n);
        for (size_t d = batch_rank; d-- > 0;) {
          if (++idx[d] < ob[d]) break;
          idx[d] = 0;
        }
      }
    });
  });
}

std::unique_ptr<OpKernel> make_gemm(const KernelInit& init) {
  const std::string label = node_label(init.node);
  const bool ta = init.node.attr_int("transA", 0) != 0;
  const bool tb = init.node.attr_int("transB", 0) != 0;
  const double alpha = init.node.attr_float("alpha", 1.f);
  const double beta = init.node.attr_float("beta", 1.f);
  return make_kernel([=](KernelContext& ctx) {
    const RtTensor& a = need_input(ctx, 0, label);
    const RtTensor& b = need_input(ctx, 1, label);
    const RtTensor* c = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    if (a.rank() != 2 || b.rank() != 2) fail(label, ": A and B must be 2-D");
    if (a.dtype() != b.dtype() || (c && c->dtype() != a.dtype()))
      fail(label, ": A, B and C have different element types");
    const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
    const int64_t kb = tb ? b.dim(1) : b.dim(0), n = tb ? b.dim(0) : b.dim(1);
    if (k != kb) fail(label, ": inner dimensions differ: A ", shape_str(a.shape()), ", B ", shape_str(b.shape()));
    // C broadcasts unidirectionally to [M, N].
    int64_t cm = 1, cn = 1;
    if (c) {
      if (c->rank() > 2) fail(label, ": C must have rank <= 2");
      if (c->rank() >= 1) cn = c->dim(c->rank() - 1);
      if (c->rank() == 2) cm = c->dim(0);
      if ((cm != 1 && cm != m) || (cn != 1 && cn != n))
        fail(label, ": C ", shape_str(c->shape()), " does not broadcast to [", std::to_string(m), ",",
             std::to_string(n), "]");
    }
    RtTensor& y = ctx.output(0, a.dtype(), {m, n});
    dispatch_float(a.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      T* yp = y.data<T>();
      const bool use_c = c && beta != 0.0;
      if (use_c) {
        const T* cp = c->data<T>();
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) yp[i * n + j] = cp[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
      }
      GemmParams p;
      p.m = m, p.n = n, p.k = k, p.trans_a = ta, p.trans_b = tb, p.alpha = alpha;
      p.beta = use_c ? beta : 0.0;
      gemm<T>(p, a.data<T>(), b.data<T>(), yp);
    });
  });
}

}  // namespace
}  // namespace nn

void register_nn_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "MatMul", 1, 1000, Backend::Ref, bind::half_storage(nn::make_matmul)});
  r.add(KernelDef{"", "Gemm", 1, 1000, Backend::Ref, bind::half_storage(nn::make_gemm)});
  nn::register_nn_conv_kernels(r);
  nn::register_nn_norm_kernels(r);
  nn::register_nn_pool_kernels(r);
  nn::register_nn_resize_kernels(r);
  nn::register_nn_einsum_kernels(r);
  nn::register_nn_rnn_kernels(r);
}

}  // namespace kiln
