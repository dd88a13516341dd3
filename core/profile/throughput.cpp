#include "core/profile/throughput.h"

#include <optional>

#include "core/profile/inputs.h"
#include "core/util/error.h"

namespace kiln::profile {

ThroughputResult sweep_batches(const Model& model, const SessionOptions& base,
                               const std::map<std::string, std::vector<int64_t>>& given_shapes,
                               const ThroughputOptions& o) {
  ThroughputResult r;
  r.latency_bound_ms = o.latency_bound_ms;
  r.memory_bound_bytes = o.memory_bound_bytes;
  r.batched_inputs = batchable_inputs(*model.graph);
  std::vector<int64_t> batches = o.batches;
  if (r.batched_inputs.empty()) {
    r.note = "no input has a symbolic or size-1 dim 0: only the model's own batch was measured";
    batches = {1};
  }
  LatencyOptions lat = o.latency;
  lat.per_node = false;
  for (int64_t b : batches) {
    if (b <= 0) fail("--batch: batch sizes must be positive, got ", std::to_string(b));
    BatchPoint p;
    p.batch = b;
    SessionOptions so = base;
    so.input_shapes = resolve_input_shapes(*model.graph, given_shapes, r.batched_inputs.empty() ? 0 : b).shapes;
    std::optional<Session> s;
    Sample inputs;
    LatencyResult l;
    try {
      s.emplace(model, so);
      inputs = random_sample(*s->model().graph, so.input_shapes, o.seed);
      if (const MemoryPlan* plan = s->plan()) {
        p.memory_bytes = static_cast<int64_t>(plan->peak_bytes);
        for (const auto& [name, t] : inputs) p.memory_bytes += static_cast<int64_t>(t.nbytes());
      }
      if (o.memory_bound_bytes > 0 && p.memory_bytes > o.memory_bound_bytes) {
        p.stopped = "planned memory " + std::to_string(p.memory_bytes) + " bytes is over the bound of " +
                    std::to_string(o.memory_bound_bytes);
        r.points.push_back(std::move(p));
        break;
      }
      l = measure_latency(*s, inputs, lat);
    } catch (const Error& e) {
      // A dim 0 of size 1 is not always a batch (it may broadcast against another input): a batch
      // the model cannot take ends the sweep, with the reason, and keeps what was measured.
      if (b == batches.front()) throw;
      p.stopped = "batch " + std::to_string(b) + " does not run: " + e.what();
      r.points.push_back(std::move(p));
      break;
    }
    p.ran = true;
    p.latency_ms = l.end_to_end;
    p.inferences_per_s = l.end_to_end.p50 > 0 ? static_cast<double>(b) * 1000.0 / l.end_to_end.p50 : 0;
    const bool over = o.latency_bound_ms > 0 && p.latency_ms.p50 > o.latency_bound_ms;
    if (over) p.stopped = "p50 latency is over the bound of " + Json(o.latency_bound_ms).dump(-1) + " ms";
    r.points.push_back(std::move(p));
    if (!over && (!r.best || r.points.back().inferences_per_s > r.points[*r.best].inferences_per_s))
      r.best = r.points.size() - 1;
    if (over) break;
  }
  return r;
}

Json ThroughputResult::to_json() const {
  Json j = Json::object();
  Json bi = Json::array();
  for (const std::string& s : batched_inputs) bi.push_back(s);
  j["batched_inputs"] = std::move(bi);
  j["latency_bound_ms"] = latency_bound_ms > 0 ? Json(latency_bound_ms) : Json();
  j["memory_bound_bytes"] = memory_bound_bytes > 0 ? Json(memory_bound_bytes) : Json();
  if (!note.empty()) j["note"] = note;
  Json pts = Json::array();
  for (const BatchPoint& p : points) {
    Json e = Json::object();
    e["batch"] = p.batch;
    e["ran"] = p.ran;
    if (p.ran) {
      e["latency_ms"] = p.latency_ms.to_json();
      e["inferences_per_s"] = p.inferences_per_s;
    }
    e["memory_bytes"] = p.memory_bytes >= 0 ? Json(p.memory_bytes) : Json();
    if (!p.stopped.empty()) e["stopped"] = p.stopped;
    pts.push_back(std::move(e));
  }
  j["points"] = std::move(pts);
  if (best) {
    j["best_batch"] = points[*best].batch;
    j["best_inferences_per_s"] = points[*best].inferences_per_s;
  } else {
    j["best_batch"] = Json();
    j["best_inferences_per_s"] = Json();
  }
  return j;
}

}  // namespace kiln::profile
