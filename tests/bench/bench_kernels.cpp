// Optimized CPU kernel benchmarks (Google Benchmark): SGEMM, convolutions and vector math on the
// dispatch table's best variant, with GFLOP/s and the fraction of the machine's FMA peak as
// counters. Peak per core = 2 FMA units x 8 floats (AVX2) x 2 flops x GHz; GHz is read from
// /proc/cpuinfo ("cpu MHz", the nominal clock a VM reports) unless KILN_CPU_GHZ gives it.
// A benchmark, not a test: figures only, always exits 0.
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/cpu_info.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/thread_pool.h"

namespace kiln::cpu {
namespace {

double cpu_ghz() {
  if (const char* env = std::getenv("KILN_CPU_GHZ")) return std::atof(env);
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("cpu MHz", 0) == 0) return std::atof(line.substr(line.find(':') + 1).c_str()) / 1000.0;
  return 0.0;
}

double peak_gflops_per_core() { return 2.0 * 8.0 * 2.0 * cpu_ghz(); }

std::vector<float> random_vector(size_t n) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Runs body once per iteration and reports GFLOP/s and the fraction of `threads` cores' peak by
// wall time. Single-threaded runs also report both by the thread's CPU time (GFLOPS_cpu,
// peak_frac_cpu): on a machine shared with other work the wall clock counts time the thread was
// not scheduled, its CPU time does not.
template <class F>
void timed(benchmark::State& state, double flops, int threads, F body) {
  double seconds = 0, cpu_seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_seconds();
    body();
    cpu_seconds += thread_cpu_seconds() - c0;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double total = flops * static_cast<double>(state.iterations());
  const double peak = peak_gflops_per_core() * threads;
  state.counters["GFLOPS"] = total / seconds / 1e9;
  if (peak > 0) state.counters["peak_frac"] = total / seconds / 1e9 / peak;
  if (threads == 1) {
    state.counters["GFLOPS_cpu"] = total / cpu_seconds / 1e9;
    if (peak > 0) state.counters["peak_frac_cpu"] = total / cpu_seconds / 1e9 / peak;
  }
}

// Square SGEMM; arg 1 selects pre-packed B (constant weights) or packing both every call.
void BM_Sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const bool prepacked = state.range(1) != 0;
  const int threads = static_cast<int>(state.range(2));
  const CpuKernels& k = cpu_kernels();
  const auto a = random_vector(static_cast<size_t>(n * n)), b = random_vector(static_cast<size_t>(n * n));
  std::vector<float> c(static_cast<size_t>(n * n));
  GemmOperand oa{a.data(), n, 1, nullptr}, ob{b.data(), n, 1, nullptr};
  AlignedBuffer pb(f32_packed_b_size(k, n, n));
  if (prepacked) {
    f32_pack_b(k, n, n, b.data(), n, 1, pb.data());
    ob.packed = pb.data();
  }
  ThreadPool& pool = ThreadPool::shared(threads);
  timed(state, 2.0 * n * n * n, threads, [&] {
    f32_gemm(k, n, n, n, oa, ob, c.data(), n, Epilogue{}, &pool);
    benchmark::ClobberMemory();
  });
  state.SetLabel(k.isa);
}
BENCHMARK(BM_Sgemm)
    ->ArgNames({"n", "prepacked", "threads"})
    ->Args({256, 0, 1})->Args({512, 0, 1})->Args({1024, 0, 1})->Args({512, 1, 1})->Args({1024, 1, 1})
    ->Args({1024, 1, 2})->Args({512, 1, 2})
    ->Unit(benchmark::kMillisecond);

// Transformer-shaped GEMM: [seq x hidden] x [hidden x 4 hidden] with a fused bias + GELU.
void BM_SgemmBiasGelu(benchmark::State& state) {
  const int64_t m = 128, k = 256, n = 1024;
  const int threads = static_cast<int>(state.range(0));
  const CpuKernels& kt = cpu_kernels();
  const auto a = random_vector(static_cast<size_t>(m * k)), b = random_vector(static_cast<size_t>(k * n));
  const auto bias = random_vector(static_cast<size_t>(n));
  std::vector<float> c(static_cast<size_t>(m * n));
  AlignedBuffer pb(f32_packed_b_size(kt, k, n));
  f32_pack_b(kt, k, n, b.data(), n, 1, pb.data());
  Epilogue e;
  e.col_bias = bias.data(), e.act = Activation::Gelu;
  ThreadPool& pool = ThreadPool::shared(threads);
  timed(state, 2.0 * m * n * k, threads, [&] {
    f32_gemm(kt, m, n, k, GemmOperand{a.data(), k, 1, nullptr}, GemmOperand{nullptr, 0, 1, pb.data()}, c.data(), n, e,
             &pool);
    benchmark::ClobberMemory();
  });
}
BENCHMARK(BM_SgemmBiasGelu)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

ConvParams conv2d(int64_t c, int64_t m, int64_t hw, int64_t k, int64_t s, int64_t group) {
  ConvParams p;
  p.in_channels = c, p.out_channels = m, p.group = group;
  p.in = {1, hw, hw};
  p.kernel = {1, k, k};
  p.stride = {1, s, s};
  p.pad_begin = {0, k / 2, k / 2};
  const int64_t o = (hw + 2 * (k / 2) - k) / s + 1;
  p.out = {1, o, o};
  return p;
}

// Conv shapes from ResNet-50 and MobileNetV2 at 224x224, batch 1, with bias + Relu.
void BM_Conv(benchmark::State& state) {
  const ConvParams p = conv2d(state.range(0), state.range(1), state.range(2), state.range(3), state.range(4),
                              state.range(5));
  const int threads = static_cast<int>(state.range(6));
  const CpuKernels& k = cpu_kernels();
  const auto x = random_vector(static_cast<size_t>(p.in_channels * p.in[1] * p.in[2]));
  const auto w = random_vector(static_cast<size_t>(p.out_channels * p.in_channels / p.group * p.kernel[1] * p.kernel[2]));
  const auto bias = random_vector(static_cast<size_t>(p.out_channels));
  std::vector<float> y(static_cast<size_t>(p.out_channels * p.out[1] * p.out[2]));
  AlignedBuffer packed;
  f32_conv_pack_weights(k, p, w.data(), packed);
  Epilogue e;
  e.row_bias = bias.data(), e.act = Activation::Relu;
  ThreadPool& pool = ThreadPool::shared(threads);
  const double flops = 2.0 * static_cast<double>(p.out_channels * p.out[1] * p.out[2]) *
                       static_cast<double>(p.in_channels / p.group * p.kernel[1] * p.kernel[2]);
  timed(state, flops, threads, [&] {
    f32_conv(k, p, x.data(), w.data(), packed.data(), y.data(), e, &pool);
    benchmark::ClobberMemory();
  });
}
BENCHMARK(BM_Conv)
    ->ArgNames({"c", "m", "hw", "k", "s", "g", "threads"})
    ->Args({3, 64, 224, 7, 2, 1, 1})      // ResNet stem
    ->Args({64, 64, 56, 3, 1, 1, 1})      // ResNet 3x3
    ->Args({256, 64, 56, 1, 1, 1, 1})     // ResNet 1x1 reduce
    ->Args({512, 512, 7, 3, 1, 1, 1})     // late 3x3
    ->Args({144, 144, 56, 3, 1, 144, 1})  // MobileNetV2 depthwise
    ->Args({144, 144, 56, 3, 2, 144, 1})  // depthwise, stride 2
    ->Args({64, 64, 56, 3, 1, 1, 2})
    ->Args({3, 16, 64, 7, 2, 1, 1})       // resnet_style stem (scripts/bench_vs_ort.py)
    ->Args({16, 64, 32, 1, 1, 1, 1})      // mobilenetv2_style expansion
    ->Args({16, 16, 16, 3, 1, 1, 1})      // resnet_style block
    ->Unit(benchmark::kMicrosecond);

void BM_Activation(benchmark::State& state) {
  const auto act = static_cast<Activation>(state.range(0));
  const int64_t n = 1 << 16;
  const auto x = random_vector(static_cast<size_t>(n));
  std::vector<float> y(static_cast<size_t>(n));
  const CpuKernels& k = cpu_kernels();
  for (auto _ : state) {
    k.f32_activation(x.data(), y.data(), n, act, 0.f, 6.f);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Activation)
    ->ArgName("act")
    ->Arg(static_cast<int>(Activation::Relu))
    ->Arg(static_cast<int>(Activation::Sigmoid))
    ->Arg(static_cast<int>(Activation::Tanh))
    ->Arg(static_cast<int>(Activation::Gelu));

void BM_SoftmaxRows(benchmark::State& state) {
  const int64_t rows = 512, n = state.range(0);
  const auto x = random_vector(static_cast<size_t>(rows * n));
  std::vector<float> y(x.size());
  for (auto _ : state) {
    cpu_kernels().f32_softmax_rows(x.data(), y.data(), rows, n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * rows * n);
}
BENCHMARK(BM_SoftmaxRows)->Arg(128)->Arg(1000);

}  // namespace
}  // namespace kiln::cpu

int main(int argc, char** argv) {
  using namespace kiln::cpu;
  const double ghz = cpu_ghz();
  std::printf("kernels: %s on %s; FMA peak per core = 2 FMA units x 8 floats x 2 flops x %.3f GHz = %.1f GFLOP/s\n",
              cpu_kernels().isa, kiln::cpu_info().model.c_str(), ghz, peak_gflops_per_core());
  std::printf("(GHz from /proc/cpuinfo 'cpu MHz'; set KILN_CPU_GHZ to override, e.g. with the sustained all-core clock)\n");
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
