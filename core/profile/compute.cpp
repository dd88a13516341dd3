#include "core/profile/compute.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <unordered_map>

#include "core/analysis/cost_model.h"
#include "kernels/cpu/cpu_info.h"

namespace kiln::profile {
namespace {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, cpu_info().logical_cores);
}

// GHz and where it came from; 0 when nothing says.
std::pair<double, std::string> cpu_ghz() {
  {
    std::ifstream f("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    double khz = 0;
    if (f >> khz && khz > 0) return {khz / 1e6, "cpufreq cpuinfo_max_freq"};
  }
  {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("cpu MHz", 0) != 0) continue;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      double mhz = std::atof(line.c_str() + colon + 1);
      if (mhz > 0) return {mhz / 1e3, "/proc/cpuinfo cpu MHz (the current clock; turbo may be higher)"};
    }
  }
  std::smatch m;
  const std::string& brand = cpu_info().model;
  if (std::regex_search(brand, m, std::regex(R"(([0-9]+(\.[0-9]+)?)\s*GHz)")))
    return {std::stod(m[1].str()), "the CPU's brand string"};
  return {0, "unknown (no cpufreq, no cpu MHz in /proc/cpuinfo, no GHz in the brand string)"};
}

int64_t value_bytes(const Value* v) {
  if (!v || !v->type.is_tensor() || !v->type.shape) return 0;
  auto n = v->type.shape->numel();
  if (!n || *n < 0) return 0;
  return std::max<int64_t>(0, dtype_storage_bytes(v->type.dtype, *n));
}

std::string op_label(const Node& n) { return n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type; }

}  // namespace

MachinePeak machine_peak() {
  const CpuInfo& ci = cpu_info();
  MachinePeak p;
  p.cores = available_cores();
  p.f32_lanes = ci.avx512f ? 16 : ci.avx2 ? 8 : (ci.neon || ci.arch == "x86_64") ? 4 : 1;
  p.fma_units = ci.fma ? 2 : 1;
  auto [ghz, source] = cpu_ghz();
  p.ghz = ghz;
  p.frequency_source = source;
  p.gflops_per_core = ghz * p.f32_lanes * 2 * p.fma_units;
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "per core: %d f32 lanes (%s) x 2 flops per FMA x %d FMA unit%s (%s) x %.3g GHz (%s) = %.4g GFLOP/s",
                p.f32_lanes, ci.avx512f ? "AVX-512" : ci.avx2 ? "AVX2" : ci.neon ? "NEON" : "SSE", p.fma_units,
                p.fma_units > 1 ? "s" : "",
                ci.fma ? "assumed 2 for an FMA-capable core" : "no FMA: one multiply and one add port", ghz,
                source.c_str(), p.gflops_per_core);
  p.how = buf;
  return p;
}

double measure_read_bandwidth_gbps() {
  constexpr size_t kCount = (64u << 20) / sizeof(double);
  std::unique_ptr<double[]> buf(new double[kCount]);
  for (size_t i = 0; i < kCount; ++i) buf[i] = static_cast<double>(i & 7);
  double best = 0;
  volatile double sink = 0;
  for (int pass = 0; pass < 3; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i < kCount; i += 4) {
      s0 += buf[i];
      s1 += buf[i + 1];
      s2 += buf[i + 2];
      s3 += buf[i + 3];
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink = sink + s0 + s1 + s2 + s3;
    if (sec > 0) best = std::max(best, static_cast<double>(kCount * sizeof(double)) / sec / 1e9);
  }
  return best;
}

ComputeResult analyze_compute(const Model& compiled, const LatencyResult& latency, int threads,
                              const MachinePeak& machine, double bandwidth_gbps) {
  ComputeResult r;
  r.machine = machine;
  r.cores_used = std::max(1, std::min(threads, machine.cores));
  r.peak_gflops = machine.gflops_per_core * r.cores_used;
  r.bandwidth_gbps = bandwidth_gbps;
  r.ridge_flops_per_byte = bandwidth_gbps > 0 && r.peak_gflops > 0 ? r.peak_gflops / bandwidth_gbps : 0;
  r.end_to_end_ms = latency.end_to_end.p50;

  std::unordered_map<NodeId, double> node_ms;
  for (const NodeTime& t : latency.nodes) node_ms[t.id] = t.mean_ms;

  const ModelCost total = estimate_model_cost(compiled);
  r.total_macs = total.total_macs;
  r.total_flops = total.total_flops;
  r.nodes_unknown = total.nodes_unknown;
  r.gflops = r.end_to_end_ms > 0 ? static_cast<double>(r.total_flops) / (r.end_to_end_ms * 1e6) : 0;
  r.peak_fraction = r.peak_gflops > 0 ? r.gflops / r.peak_gflops : 0;

  compiled.graph->for_each_node([&](const Node* n) {
    NodeCompute c;
    c.id = n->id();
    c.name = n->name;
    c.op = op_label(*n);
    NodeCost cost = estimate_node_cost(*n);
    c.known = cost.known;
    c.macs = cost.macs;
    c.flops = cost.flops;
    for (const Value* v : n->inputs()) c.bytes += value_bytes(v);
    for (const Value* v : n->outputs()) c.bytes += value_bytes(v);
    c.intensity = c.bytes > 0 ? static_cast<double>(c.flops) / static_cast<double>(c.bytes) : 0;
    if (auto it = node_ms.find(c.id); it != node_ms.end()) c.ms = it->second;
    c.gflops = c.ms > 0 ? static_cast<double>(c.flops) / (c.ms * 1e6) : 0;
    if (!c.known || c.bytes == 0 || r.ridge_flops_per_byte <= 0)
      c.bound = "unknown";
    else
      c.bound = c.intensity >= r.ridge_flops_per_byte ? "compute" : "memory";
    r.nodes.push_back(std::move(c));
  });
  return r;
}

Json MachinePeak::to_json() const {
  Json j = Json::object();
  j["cores"] = cores;
  j["f32_lanes"] = f32_lanes;
  j["fma_units"] = fma_units;
  j["ghz"] = ghz > 0 ? Json(ghz) : Json();
  j["frequency_source"] = frequency_source;
  j["gflops_per_core"] = gflops_per_core > 0 ? Json(gflops_per_core) : Json();
  j["how"] = how;
  return j;
}

Json ComputeResult::to_json() const {
  Json j = Json::object();
  j["total_macs"] = total_macs;
  j["total_flops"] = total_flops;
  j["nodes_unknown"] = nodes_unknown;
  j["end_to_end_ms"] = end_to_end_ms;
  j["achieved_gflops"] = gflops;
  j["cores_used"] = cores_used;
  j["peak_gflops"] = peak_gflops > 0 ? Json(peak_gflops) : Json();
  j["peak_fraction"] = peak_gflops > 0 ? Json(peak_fraction) : Json();
  j["bandwidth_gbps"] = bandwidth_gbps > 0 ? Json(bandwidth_gbps) : Json();
  j["ridge_flops_per_byte"] = ridge_flops_per_byte > 0 ? Json(ridge_flops_per_byte) : Json();
  j["machine"] = machine.to_json();
  Json a = Json::array();
  for (const NodeCompute& c : nodes) {
    Json n = Json::object();
    n["id"] = static_cast<int64_t>(c.id);
    n["name"] = c.name;
    n["op"] = c.op;
    n["macs"] = c.known ? Json(c.macs) : Json();
    n["flops"] = c.known ? Json(c.flops) : Json();
    n["bytes"] = c.bytes;
    n["flops_per_byte"] = c.intensity;
    n["ms"] = c.ms;
    n["gflops"] = c.gflops;
    n["bound"] = c.bound;
    a.push_back(std::move(n));
  }
  j["nodes"] = std::move(a);
  return j;
}

}  // namespace kiln::profile
