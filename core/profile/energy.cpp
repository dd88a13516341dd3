#include "core/profile/energy.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

bool read_u64(const std::string& path, uint64_t& out) {
  std::ifstream f(path);
  return static_cast<bool>(f >> out);
}

}  // namespace

RaplCounters::RaplCounters(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    reason_ = root + " does not exist (no powercap driver: not a RAPL-capable CPU, or not exposed to this "
                     "machine or container)";
    return;
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    // Package domains are intel-rapl:N; their sub-domains (intel-rapl:N:M) are counted inside them.
    if (name.rfind("intel-rapl:", 0) == 0 && std::count(name.begin(), name.end(), ':') == 1) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty()) {
    reason_ = "no intel-rapl:N package domain under " + root;
    return;
  }
  for (const fs::path& d : dirs) {
    Domain dom;
    dom.path = (d / "energy_uj").string();
    std::ifstream nf(d / "name");
    std::getline(nf, dom.name);
    uint64_t probe = 0;
    std::ifstream probe_file(dom.path);
    if (!probe_file) {
      reason_ = dom.path + " is not readable (" + std::strerror(errno) +
                "; since Linux 5.10 energy_uj is readable by root only)";
      domains_.clear();
      return;
    }
    if (!(probe_file >> probe)) {
      reason_ = dom.path + " does not hold a counter";
      domains_.clear();
      return;
    }
    read_u64((d / "max_energy_range_uj").string(), dom.max_range);
    domains_.push_back(std::move(dom));
  }
}

std::string RaplCounters::source() const {
  std::string s;
  for (const Domain& d : domains_) {
    if (!s.empty()) s += ", ";
    s += d.path;
    if (!d.name.empty()) s += " (" + d.name + ")";
  }
  return s;
}

std::vector<uint64_t> RaplCounters::read() const {
  std::vector<uint64_t> out;
  for (const Domain& d : domains_) {
    uint64_t v = 0;
    read_u64(d.path, v);
    out.push_back(v);
  }
  return out;
}

double RaplCounters::joules_between(const std::vector<uint64_t>& before, const std::vector<uint64_t>& after) const {
  double uj = 0;
  for (size_t i = 0; i < domains_.size() && i < before.size() && i < after.size(); ++i) {
    if (after[i] >= before[i])
      uj += static_cast<double>(after[i] - before[i]);
    else  // the counter wrapped once
      uj += static_cast<double>(domains_[i].max_range - before[i] + after[i]);
  }
  return uj / 1e6;
}

EnergyResult measure_energy(const std::function<void()>& run_once, double min_seconds, Backend backend,
                            const std::string& rapl_root) {
  EnergyResult r;
  if (backend == Backend::Cuda) {
    r.reason = "GPU energy needs NVML, which this build of Kiln does not use";
    return r;
  }
  RaplCounters rapl(rapl_root);
  if (!rapl.ok()) {
    r.reason = rapl.reason();
    return r;
  }
  const auto before = rapl.read();
  const auto t0 = std::chrono::steady_clock::now();
  do {
    run_once();
    ++r.iterations;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (r.seconds < min_seconds);
  const auto after = rapl.read();
  r.available = true;
  r.source = rapl.source();
  r.caveat = "RAPL counts the whole CPU package: other work running meanwhile is included";
  r.joules = rapl.joules_between(before, after);
  r.joules_per_inference = r.joules / r.iterations;
  r.watts = r.seconds > 0 ? r.joules / r.seconds : 0;
  return r;
}

Json EnergyResult::to_json() const {
  Json j = Json::object();
  j["available"] = available;
  if (!available) {
    j["reason"] = reason;
    return j;
  }
  j["source"] = source;
  j["caveat"] = caveat;
  j["iterations"] = iterations;
  j["seconds"] = seconds;
  j["joules"] = joules;
  j["joules_per_inference"] = joules_per_inference;
  j["watts"] = watts;
  return j;
}

}  // namespace kiln::profile
