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

// numpy.matmul of a and b, viewed as (broadcast) batches of m x k and k x n matrices.
struct MatMulPlan {
  std::vector<int64_t> out_shape, a_batch, b_batch, out_batch;
  int64_t m = 0, n = 0, k = 0;
};

MatMulPlan plan_matmul(const std::string& label, const RtTensor& a, const RtTensor& b) {
  if (a.dtype() != b.dtype()) fail(label, ": A and B have different element types");
  if (a.rank() == 0 || b.rank() == 0) fail(label, ": MatMul operands must have rank >= 1");
  // numpy.matmul: a 1-D A is a row vector, a 1-D B a column vector; the added dim is dropped.
  std::vector<int64_t> as = a.shape(), bs = b.shape();
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  MatMulPlan p;
  p.m = as[as.size() - 2], p.k = as.back(), p.n = bs.back();
  if (bs[bs.size() - 2] != p.k)
    fail(label, ": inner dimensions differ: A ", shape_str(a.shape()), ", B ", shape_str(b.shape()));
  const size_t batch_rank = std::max(as.size(), bs.size()) - 2;
  p.a_batch.assign(batch_rank, 1), p.b_batch.assign(batch_rank, 1), p.out_batch.resize(batch_rank);
  std::copy(as.begin(), as.end() - 2, p.a_batch.begin() + (batch_rank - (as.size() - 2)));
  std::copy(bs.begin(), bs.end() - 2, p.b_batch.begin() + (batch_rank - (bs.size() - 2)));
  for (size_t i = 0; i < batch_rank; ++i) {
    const int64_t ad = p.a_batch[i], bd = p.b_batch[i];
    if (ad != bd && ad != 1 && bd != 1)
      fail(label, ": batch dimensions do not broadcast: A ", shape_str(a.shape()), ", B ", shape_str(b.shape()));
    p.out_batch[i] = ad == 1 ? bd : ad;
  }
  p.out_shape = p.out_batch;
  if (!a_vec) p.out_shape.push_back(p.m);
  if (!b_vec) p.out_shape.push_back(p.n);
  return p;
}

std::unique_ptr<OpKernel> make_matmul(const KernelInit& init) {
  const std::string label = node_label(init.node);
  return make_kernel([label](KernelContext& ctx) {
    const RtTensor& a = need_input(ctx, 0, label);
    const RtTensor& b = need_input(ctx, 1, label);
    matmul_into(label, a, b, ctx.output(0, a.dtype(), matmul_shape(label, a, b)));
  });
}

std::unique_ptr<OpKernel> make_gemm(const KernelInit& init) {
  const GemmAttrs g = GemmAttrs::read(init.node);
  return make_kernel([g](KernelContext& ctx) {
    const RtTensor* c = ctx.input_count() > 2 ? ctx.input(2) : nullptr;
    gemm_forward(ctx, g, need_input(ctx, 0, g.label), need_input(ctx, 1, g.label), c);
  });
}

}  // namespace

std::vector<int64_t> matmul_shape(const std::string& label, const RtTensor& a, const RtTensor& b) {
  return plan_matmul(label, a, b).out_shape;
}

void matmul_into(const std::string& label, const RtTensor& a, const RtTensor& b, RtTensor& y) {
  const MatMulPlan mp = plan_matmul(label, a, b);
  const int64_t m = mp.m, n = mp.n, k = mp.k;
  const size_t batch_rank = mp.out_batch.size();
  const std::vector<int64_t>&ab = mp.a_batch, &bb = mp.b_batch, &ob = mp.out_batch;
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
}

GemmAttrs GemmAttrs::read(const Node& n) {
  return GemmAttrs{node_label(n), n.attr_int("transA", 0) != 0, n.attr_int("transB", 0) != 0,
                   n.attr_float("alpha", 1.f), n.attr_float("beta", 1.f)};
}

RtTensor& gemm_forward(KernelContext& ctx, const GemmAttrs& g, const RtTensor& a, const RtTensor& b,
                       const RtTensor* c) {
  const std::string& label = g.label;
  const bool ta = g.trans_a, tb = g.trans_b;
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
    const bool use_c = c && g.beta != 0.0;
    if (use_c) {
      const T* cp = c->data<T>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) yp[i * n + j] = cp[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
    }
    GemmParams p;
    p.m = m, p.n = n, p.k = k, p.trans_a = ta, p.trans_b = tb, p.alpha = g.alpha;
    p.beta = use_c ? g.beta : 0.0;
    gemm<T>(p, a.data<T>(), b.data<T>(), yp);
  });
  return y;
}

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
