// Backend::Cpu Gemm, MatMul and their Kiln fused forms over the packed SGEMM
// (kernels/cpu/gemm.h): bias, Gemm's C, a residual and the activation run as the GEMM's
// epilogue; constant B operands (weights) are packed once.
#include "core/ir/kiln_domain.h"
#include "core/runtime/bind/cpu_common.h"
#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/gemm.h"

namespace kiln::cpu_bind {

namespace {

using nn::need_input;

const RtTensor* optional_input(KernelContext& ctx, size_t i) { return i < ctx.input_count() ? ctx.input(i) : nullptr; }

// The packed form of a constant B, packed on first use.
const float* packed_b(PackedConstant& cache, const RtTensor& b, int64_t k, int64_t n, int64_t rs, int64_t cs) {
  const cpu::CpuKernels& kt = cpu::cpu_kernels();
  if (cache.source != b.raw()) {
    cache.buffer.resize(cpu::f32_packed_b_size(kt, k, n));
    cpu::f32_pack_b(kt, k, n, b.data<float>(), rs, cs, cache.buffer.data());
    cache.source = b.raw();
  }
  return cache.buffer.data();
}

std::unique_ptr<OpKernel> make_gemm(const KernelInit& init, bool fused) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const nn::GemmAttrs g = nn::GemmAttrs::read(init.node);
  const cpu::Epilogue act = fused ? read_activation(init.node) : cpu::Epilogue{};
  const bool b_const = constant_input(init.node, 1);
  auto cache = std::make_shared<PackedConstant>();
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& a = need_input(ctx, 0, g.label);
    const RtTensor& b = need_input(ctx, 1, g.label);
    const RtTensor* c = optional_input(ctx, 2);
    if (!all_f32({&a, &b, c}) || a.rank() != 2 || b.rank() != 2 || (c && c->rank() > 2)) return fallback->compute(ctx);
    const int64_t m = g.trans_a ? a.dim(1) : a.dim(0), k = g.trans_a ? a.dim(0) : a.dim(1);
    const int64_t kb = g.trans_b ? b.dim(1) : b.dim(0), n = g.trans_b ? b.dim(0) : b.dim(1);
    int64_t cm = 1, cn = 1;
    if (c && c->rank() >= 1) cn = c->dim(c->rank() - 1);
    if (c && c->rank() == 2) cm = c->dim(0);
    if (k != kb || (cm != 1 && cm != m) || (cn != 1 && cn != n)) return fallback->compute(ctx);  // it reports
    RtTensor& y = ctx.output(0, DataType::Float32, {m, n});
    cpu::Epilogue e = act;
    e.alpha = static_cast<float>(g.alpha);
    if (c && g.beta != 0.0) {
      e.residual = c->data<float>();
      e.residual_row_stride = cm == 1 ? 0 : cn;
      e.residual_col_stride = cn == 1 ? 0 : 1;
      e.residual_scale = static_cast<float>(g.beta);
    }
    cpu::GemmOperand oa{a.data<float>(), g.trans_a ? 1 : k, g.trans_a ? m : 1, nullptr};
    const int64_t brs = g.trans_b ? 1 : n, bcs = g.trans_b ? k : 1;
    cpu::GemmOperand ob{b.data<float>(), brs, bcs, nullptr};
    if (b_const) ob.packed = packed_b(*cache, b, k, n, brs, bcs);
    cpu::f32_gemm(m, n, k, oa, ob, y.data<float>(), n, e, &pool_of(ctx));
  });
}

// numpy.matmul's batch structure: batch dims of A, B and the output, right-aligned.
struct Batches {
  std::vector<int64_t> a, b, out;
  int64_t m = 0, n = 0, k = 0;
};

Batches batches_of(const RtTensor& a, const RtTensor& b) {
  std::vector<int64_t> as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  Batches r;
  r.m = as[as.size() - 2], r.k = as.back(), r.n = bs.back();
  const size_t rank = std::max(as.size(), bs.size()) - 2;
  r.a.assign(rank, 1), r.b.assign(rank, 1), r.out.resize(rank);
  std::copy(as.begin(), as.end() - 2, r.a.begin() + static_cast<std::ptrdiff_t>(rank - (as.size() - 2)));
  std::copy(bs.begin(), bs.end() - 2, r.b.begin() + static_cast<std::ptrdiff_t>(rank - (bs.size() - 2)));
  for (size_t i = 0; i < rank; ++i) r.out[i] = r.a[i] == 1 ? r.b[i] : r.a[i];
  return r;
}

std::unique_ptr<OpKernel> make_matmul(const KernelInit& init, bool fused) {
  std::shared_ptr<OpKernel> fallback = ref_kernel(init);
  const std::string label = bind::who_of(init.node);
  const cpu::Epilogue act = fused ? read_activation(init.node) : cpu::Epilogue{};
  const bool b_const = constant_input(init.node, 1);
  auto cache = std::make_shared<PackedConstant>();
  return bind::make_kernel([=](KernelContext& ctx) {
    const RtTensor& a = need_input(ctx, 0, label);
    const RtTensor& b = need_input(ctx, 1, label);
    const RtTensor* bias = fused ? optional_input(ctx, 2) : nullptr;
    const RtTensor* z = fused ? optional_input(ctx, 3) : nullptr;
    if (!all_f32({&a, &b, bias, z}) || a.rank() == 0 || b.rank() == 0) return fallback->compute(ctx);
    const std::vector<int64_t> out_shape = nn::matmul_shape(label, a, b);
    const Batches bt = batches_of(a, b);
    const int64_t m = bt.m, n = bt.n, k = bt.k;
    if (bias && (bias->rank() != 1 || bias->dim(0) != n)) return fallback->compute(ctx);
    // A residual either matches the output or is one row repeated; anything else (a residual
    // that grows the output) takes the reference path.
    bool z_rows = false;
    if (z && z->shape() != out_shape) {
      if (z->numel() != n || z->rank() == 0 || z->shape().back() != n || z->rank() > out_shape.size())
        return fallback->compute(ctx);
      z_rows = true;
    }
    RtTensor& y = ctx.output(0, DataType::Float32, out_shape);
    cpu::Epilogue e = act;
    if (bias) e.col_bias = bias->data<float>();
    if (z) {
      e.residual = z->data<float>();
      e.residual_row_stride = z_rows ? 0 : n;
    }
    cpu::ThreadPool& pool = pool_of(ctx);
    int64_t b_batches = 1, batches = 1;
    for (int64_t d : bt.b) b_batches *= d;
    for (int64_t d : bt.out) batches *= d;
    // One B for every batch (a weight), so A's batches are the output's: fold them into M, one
    // GEMM over all rows.
    if (b_batches == 1) {
      const int64_t rows = batches * m;
      cpu::GemmOperand oa{a.data<float>(), k, 1, nullptr};
      cpu::GemmOperand ob{b.data<float>(), n, 1, nullptr};
      if (b_const) ob.packed = packed_b(*cache, b, k, n, n, 1);
      return cpu::f32_gemm(rows, n, k, oa, ob, y.data<float>(), n, e, &pool);
    }
    const int64_t batch_rank = static_cast<int64_t>(bt.out.size());
    auto one = [&](int64_t bi, cpu::ThreadPool* p) {
      int64_t ao = 0, bo = 0, rem = bi;
      std::vector<int64_t> idx(static_cast<size_t>(batch_rank));
      for (int64_t d = batch_rank; d-- > 0;) {
        idx[static_cast<size_t>(d)] = rem % bt.out[static_cast<size_t>(d)];
        rem /= bt.out[static_cast<size_t>(d)];
      }
      for (int64_t d = 0; d < batch_rank; ++d) {
        const size_t u = static_cast<size_t>(d);
        ao = ao * bt.a[u] + (bt.a[u] == 1 ? 0 : idx[u]);
        bo = bo * bt.b[u] + (bt.b[u] == 1 ? 0 : idx[u]);
      }
      cpu::Epilogue eb = e;
      if (eb.residual && !z_rows) eb.residual += bi * m * n;
      cpu::f32_gemm(m, n, k, cpu::GemmOperand{a.data<float>() + ao * m * k, k, 1, nullptr},
                    cpu::GemmOperand{b.data<float>() + bo * k * n, n, 1, nullptr}, y.data<float>() + bi * m * n, n, eb,
                    p);
    };
    if (batches >= pool.threads() && pool.threads() > 1)
      pool.run(batches, [&](int64_t bi) { one(bi, nullptr); });
    else
      for (int64_t bi = 0; bi < batches; ++bi) one(bi, &pool);
  });
}

}  // namespace

void register_cpu_gemm_kernels(KernelRegistry& r) {
  const std::string kiln(kKilnDomain);
  r.add(KernelDef{"", "Gemm", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_gemm(i, false); }});
  r.add(KernelDef{"", "MatMul", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_matmul(i, false); }});
  r.add(KernelDef{kiln, "FusedGemm", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_gemm(i, true); }});
  r.add(KernelDef{kiln, "FusedMatMul", 1, 1000, Backend::Cpu, [](const KernelInit& i) { return make_matmul(i, true); }});
}

}  // namespace kiln::cpu_bind
