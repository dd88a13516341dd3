#include "core/profile/profiler.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/profile/accuracy.h"
#include "core/profile/compute.h"
#include "core/profile/energy.h"
#include "core/profile/memory.h"
#include "core/profile/provenance.h"
#include "core/util/error.h"
#include "kernels/cpu/cpu_info.h"

namespace kiln::profile {
namespace {

Json shapes_json(const std::map<std::string, std::vector<int64_t>>& shapes) {
  Json j = Json::object();
  for (const auto& [name, dims] : shapes) {
    Json a = Json::array();
    for (int64_t d : dims) a.push_back(d);
    j[name] = std::move(a);
  }
  return j;
}

// Measured once per process: the figure is a property of the machine, not of the model.
double bandwidth_gbps() {
  static const double bw = measure_read_bandwidth_gbps();
  return bw;
}

}  // namespace

void check_backend(Backend backend) {
  if (backend == Backend::Cuda)
    fail("--backend cuda: not available: Kiln has no CUDA kernels yet (use --backend ref or cpu)");
}

std::string backend_name(Backend backend) {
  switch (backend) {
    case Backend::Ref: return "ref";
    case Backend::Cpu: return "cpu";
    case Backend::Cuda: return "cuda";
  }
  return "?";
}

Report profile_model(const Model& model, const std::string& label, const Model* reference,
                     const std::string& reference_label, const ProfileOptions& o, const Model* original) {
  check_backend(o.session.backend);
  Report rep;
  rep.model = label;
  rep.reference = reference ? reference_label : "";
  rep.backend = backend_name(o.session.backend);
  rep.threads = o.session.threads;
  SummaryCard& card = rep.card;

  SessionOptions so = o.session;
  Json inputs_j = Json::object();
  Sample inputs;
  if (!o.samples.empty()) {
    inputs = o.samples.front();
    so.input_shapes = sample_shapes(inputs);
    inputs_j["from"] = o.samples_from;
    inputs_j["samples"] = static_cast<int64_t>(o.samples.size());
  } else {
    ResolvedShapes rs = resolve_input_shapes(*model.graph, o.session.input_shapes);
    so.input_shapes = rs.shapes;
    inputs_j["from"] = "seeded random (seed " + std::to_string(o.seed) + ")";
    Json assumed = Json::array();
    for (const std::string& s : rs.assumed) assumed.push_back(s);
    inputs_j["assumed"] = std::move(assumed);
  }
  inputs_j["shapes"] = shapes_json(so.input_shapes);

  const bool rss_reset = reset_peak_rss();
  Session session(model, so);
  if (o.samples.empty()) inputs = random_sample(*session.model().graph, so.input_shapes, o.seed);

  // Latency first, on a quiet process: nothing else of the profile has allocated yet.
  // An optimized file written by Kiln carries provenance into the --against model's node ids.
  if (!original && reference && provenance_fits(model, *reference)) original = reference;
  std::optional<OriginalGraph> og;
  if (original) og = original_graph(*original, so.input_shapes);
  LatencyResult lat = measure_latency(session, inputs, o.latency, og ? &*og : nullptr);
  MemoryReport mem = memory_report(model, session);
  mem.peak_rss_bytes = peak_rss_bytes();
  mem.peak_rss_how = rss_reset ? "VmHWM of this process, reset before compiling the model (includes the weights)"
                               : "VmHWM of this process since it started (the kernel refused a reset): "
                                 "includes loading the model";
  card.p50_ms = lat.end_to_end.p50;
  card.p90_ms = lat.end_to_end.p90;
  card.p99_ms = lat.end_to_end.p99;
  card.spread_ms = lat.end_to_end.spread();
  card.file_bytes = mem.file_bytes;
  card.weights_bytes = mem.weights_bytes;
  if (mem.peak_activation_bytes >= 0) card.peak_activation_bytes = mem.peak_activation_bytes;
  if (mem.peak_rss_bytes >= 0) card.peak_rss_bytes = mem.peak_rss_bytes;

  Json machine = Json::object();
  machine["cpu"] = cpu_info().model;
  machine["arch"] = cpu_info().arch;
  machine["logical_cores"] = cpu_info().logical_cores;
  if (!o.pinned.empty()) machine["pinning"] = o.pinned;
  rep.sections["machine"] = std::move(machine);
  rep.sections["inputs"] = std::move(inputs_j);
  rep.sections["latency"] = lat.to_json();
  rep.sections["memory"] = mem.to_json();

  if (o.compute) {
    ComputeResult c = analyze_compute(session.model(), lat, o.session.threads, machine_peak(), bandwidth_gbps());
    rep.sections["compute"] = c.to_json();
  }

  EnergyResult en;
  if (o.energy) {
    en = measure_energy([&] { session.run(inputs); }, o.energy_seconds, o.session.backend);
  } else {
    en.reason = "not measured (--no-energy)";
  }
  card.energy_available = en.available;
  if (en.available) {
    card.joules_per_inference = en.joules_per_inference;
    card.energy_note = en.caveat;
  } else {
    card.energy_note = o.energy ? "not available: " + en.reason : en.reason;
  }
  rep.sections["energy"] = en.to_json();

  if (o.throughput) {
    ThroughputOptions sw = o.sweep;
    sw.seed = o.seed;
    // Given samples fix the other dims (a sequence length, an image size); the sweep keeps them.
    ThroughputResult t = sweep_batches(model, o.session, o.samples.empty() ? o.session.input_shapes : so.input_shapes, sw);
    if (t.best) {
      card.best_batch = t.points[*t.best].batch;
      card.inferences_per_s = t.points[*t.best].inferences_per_s;
    }
    rep.sections["throughput"] = t.to_json();
  }

  if (reference) {
    std::vector<Sample> samples = o.samples;
    std::string from = o.samples_from;
    if (samples.empty()) {
      for (int i = 0; i < std::max(1, o.random_samples); ++i)
        samples.push_back(random_sample(*session.model().graph, so.input_shapes, o.seed + static_cast<uint64_t>(i)));
      from = "seeded random (seeds " + std::to_string(o.seed) + ".." +
             std::to_string(o.seed + static_cast<uint64_t>(std::max(1, o.random_samples)) - 1) + ")";
    }
    AccuracyResult acc = compare_models(*reference, model, samples, so, o.labels, o.per_node_error);
    acc.inputs_from = from;
    card.accuracy_measured = true;
    double max_abs = 0, min_cos = 1, min_snr = INFINITY;
    std::optional<double> top1;
    for (const TensorError& e : acc.outputs) {
      max_abs = std::max(max_abs, e.max_abs);
      min_cos = std::min(min_cos, e.cosine);
      min_snr = std::min(min_snr, e.snr_db);
      if (e.classifier) top1 = std::min(top1.value_or(1.0), e.top1_agreement);
    }
    card.max_abs_error = max_abs;
    card.min_cosine = min_cos;
    if (std::isfinite(min_snr)) card.min_snr_db = min_snr;
    card.top1_agreement = top1;
    card.accuracy_note = "against " + reference_label + " on " + from +
                         (std::isfinite(min_snr) ? "" : "; outputs identical (SNR infinite)");
    rep.sections["accuracy"] = acc.to_json();
  } else {
    card.accuracy_note = "no reference model given (--against)";
  }
  return rep;
}

}  // namespace kiln::profile
