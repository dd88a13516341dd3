#pragma once
// Joules per inference where the platform exposes an energy counter: RAPL through Linux's powercap
// sysfs (/sys/class/powercap/intel-rapl:N/energy_uj, also used by AMD) for CPU runs; NVML for GPU
// runs is not built into Kiln. Anything else is reported "not available" with the reason, never
// estimated. RAPL counts the whole package, so other work on the machine is included: the report
// says so.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/runtime/kernel.h"
#include "core/util/json.h"

namespace kiln::profile {

struct EnergyResult {
  bool available = false;
  std::string reason;  // why not, when not available
  std::string source;  // the counters read
  std::string caveat;
  int iterations = 0;
  double seconds = 0;
  double joules = 0;
  double joules_per_inference = 0;
  double watts = 0;
  Json to_json() const;
};

// The package-level RAPL counters under `root` (default /sys/class/powercap).
class RaplCounters {
 public:
  explicit RaplCounters(const std::string& root = "/sys/class/powercap");
  bool ok() const { return reason_.empty(); }
  const std::string& reason() const { return reason_; }
  std::string source() const;
  // Microjoules per domain, in domain order.
  std::vector<uint64_t> read() const;
  // Joules between two readings, allowing for one wrap of each counter.
  double joules_between(const std::vector<uint64_t>& before, const std::vector<uint64_t>& after) const;

 private:
  struct Domain {
    std::string path;  // .../energy_uj
    std::string name;
    uint64_t max_range = 0;
  };
  std::vector<Domain> domains_;
  std::string reason_;
};

// Runs `run_once` repeatedly for at least `min_seconds` (RAPL updates about every millisecond, so
// short windows mislead) between two counter readings.
EnergyResult measure_energy(const std::function<void()>& run_once, double min_seconds, Backend backend,
                            const std::string& rapl_root = "/sys/class/powercap");

}  // namespace kiln::profile
