#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/util/error.h"
#include "core/util/json.h"
#include "kernels/cpu/cpu_info.h"
#include "kernels/cuda/cuda_device.h"

namespace kiln::cli {

int run_devices(const std::vector<std::string>& argv) {
  Args args("devices", argv, {"--json"}, {});
  if (!args.positional().empty()) fail("unexpected argument '", args.positional()[0], "'");
  const CpuInfo& cpu = cpu_info();
  CudaProbe cuda = cuda_probe();
  if (args.flag("--json")) {
    Json j = Json::object();
    j["version"] = 1;
    j["cpu"]["arch"] = cpu.arch;
    j["cpu"]["model"] = cpu.model;
    j["cpu"]["logical_cores"] = cpu.logical_cores;
    j["cpu"]["avx2"] = cpu.avx2;
    j["cpu"]["fma"] = cpu.fma;
    j["cpu"]["avx512f"] = cpu.avx512f;
    j["cpu"]["neon"] = cpu.neon;
    j["cuda"]["built"] = cuda.built_with_cuda;
    j["cuda"]["reason"] = cuda.reason;
    j["cuda"]["devices"] = Json::array();
    for (const CudaDevice& d : cuda.devices) {
      Json e = Json::object();
      e["index"] = d.index;
      e["name"] = d.name;
      e["sm"] = std::to_string(d.sm_major) + "." + std::to_string(d.sm_minor);
      e["multiprocessors"] = d.multiprocessors;
      e["memory_bytes"] = d.memory_bytes;
      j["cuda"]["devices"].push_back(std::move(e));
    }
    std::fputs(j.dump(2).c_str(), stdout);
    return 0;
  }
  std::printf("CPU   %s (%s), %d logical cores; AVX2 %s, FMA %s, AVX-512 %s, NEON %s\n",
              cpu.model.empty() ? "unknown model" : cpu.model.c_str(), cpu.arch.c_str(),
              cpu.logical_cores, cpu.avx2 ? "yes" : "no", cpu.fma ? "yes" : "no",
              cpu.avx512f ? "yes" : "no", cpu.neon ? "yes" : "no");
  if (cuda.devices.empty()) std::printf("CUDA  no device: %s\n", cuda.reason.c_str());
  for (const CudaDevice& d : cuda.devices)
    std::printf("CUDA  #%d %s, sm_%d%d, %d SMs, %.1f GiB\n", d.index, d.name.c_str(), d.sm_major,
                d.sm_minor, d.multiprocessors, static_cast<double>(d.memory_bytes) / (1 << 30));
  return 0;
}

}  // namespace kiln::cli
