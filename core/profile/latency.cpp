#include "core/profile/latency.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "core/analysis/cost_model.h"
#include "core/analysis/shape_inference.h"
#include "core/util/error.h"

namespace kiln::profile {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string op_label(const Node& n) { return n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type; }

// What the observer records: nothing but a pointer, a flag and a time stamp, appended to a vector
// reserved up front, so observing costs two clock reads and two stores per node.
struct Event {
  const Node* node;
  bool start;
  Clock::time_point t;
};

std::vector<GroupTime> sorted_groups(std::map<std::string, GroupTime> groups, double total) {
  std::vector<GroupTime> out;
  for (auto& [k, g] : groups) {
    g.pct = total > 0 ? 100.0 * g.ms / total : 0.0;
    out.push_back(std::move(g));
  }
  std::stable_sort(out.begin(), out.end(), [](const GroupTime& a, const GroupTime& b) { return a.ms > b.ms; });
  return out;
}

Json groups_json(const std::vector<GroupTime>& groups, bool original) {
  Json a = Json::array();
  for (const GroupTime& g : groups) {
    Json j = Json::object();
    if (original) {
      j["id"] = g.key;
      j["name"] = g.name;
      j["op"] = g.op;
    } else {
      j["op"] = g.key;
    }
    j["nodes"] = g.nodes;
    j["ms"] = g.ms;
    j["pct"] = g.pct;
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace

OriginalGraph original_graph(const Model& original, const std::map<std::string, std::vector<int64_t>>& input_shapes) {
  OriginalGraph og{original.clone(), {}};
  InferenceOptions io;
  for (const auto& [name, dims] : input_shapes)
    if (const Value* v = og.model.graph->find_value(name); v && v->is_graph_input()) io.input_shapes[name] = Shape::of(dims);
  try {
    infer_shapes(og.model, io);
  } catch (const Error&) {
    return og;  // names still serve; the split falls back to even
  }
  og.model.graph->for_each_node([&](const Node* n) {
    NodeCost c = estimate_node_cost(*n);
    if (c.known) og.flops[n->id()] = c.flops;
  });
  return og;
}

LatencyResult measure_latency(Session& session, const Sample& inputs, const LatencyOptions& o,
                              const OriginalGraph* original) {
  LatencyResult r;
  session.set_observer(nullptr);
  const auto warmup_start = Clock::now();
  for (int i = 0; i < std::max(1, o.warmup) || ms_since(warmup_start) < o.warmup_seconds * 1e3; ++i) {
    const auto t0 = Clock::now();
    session.run(inputs);
    if (i == 0) r.first_run_ms = ms_since(t0);
  }

  std::vector<double> samples;
  const auto budget_start = Clock::now();
  double last_median = -1;
  const int max_iters = std::max(1, o.max_iterations);
  const int check_every = std::max(1, o.check_every);
  while (true) {
    const auto t0 = Clock::now();
    session.run(inputs);
    samples.push_back(ms_since(t0));
    const int n = static_cast<int>(samples.size());
    if (n >= std::max(1, o.min_iterations) && n % check_every == 0) {
      const double m = median(samples);
      if (last_median > 0 && std::fabs(m - last_median) <= o.stable_pct / 100.0 * m) {
        r.stable = true;
        r.stop_reason = "median stable within " + Json(o.stable_pct).dump(-1) + "% after " + std::to_string(n) + " runs";
        break;
      }
      last_median = m;
    }
    if (n >= max_iters) {
      r.stop_reason = o.stable_pct < 0 ? "a fixed count of " + std::to_string(max_iters) + " runs"
                                       : "iteration cap (" + std::to_string(max_iters) +
                                             " runs) before the median was stable";
      break;
    }
    if (n >= std::max(1, o.min_iterations) && ms_since(budget_start) / 1000.0 >= o.max_seconds) {
      r.stop_reason = "time budget (" + Json(o.max_seconds).dump(-1) + " s, " + std::to_string(n) +
                      " runs) before the median was stable";
      break;
    }
  }
  r.iterations = static_cast<int>(samples.size());
  r.runs_ms = samples;
  r.end_to_end = summarize(std::move(samples));
  if (!o.per_node || o.per_node_iterations <= 0) return r;

  // Per node. Index the top-level nodes in execution order.
  const Graph& g = *session.model().graph;
  std::vector<Node*> order = g.nodes();
  std::unordered_map<const Node*, size_t> index;
  for (size_t i = 0; i < order.size(); ++i) index[order[i]] = i;

  std::vector<Event> events;
  events.reserve(order.size() * 2 + 64);
  std::vector<std::vector<double>> per_node(order.size());
  std::vector<double> with, without;
  // The session is left without an observer however this ends.
  struct Reset {
    Session& s;
    ~Reset() { s.set_observer(nullptr); }
  } reset{session};
  std::function<void(const Node&, bool)> observer = [&events](const Node& n, bool start) {
    events.push_back({&n, start, Clock::now()});
  };
  const auto per_node_start = Clock::now();
  for (int it = 0; it < o.per_node_iterations; ++it) {
    // The same time budget as the end-to-end runs, but at least two pairs for a median.
    if (it >= 2 && ms_since(per_node_start) / 1000.0 >= o.max_seconds) break;
    session.set_observer(nullptr);
    auto t0 = Clock::now();
    session.run(inputs);
    without.push_back(ms_since(t0));

    session.set_observer(observer);
    events.clear();
    t0 = Clock::now();
    session.run(inputs);
    with.push_back(ms_since(t0));

    // Depth tracking: an If/Loop/Scan body's nodes run between their parent's start and end, and
    // are part of the parent's time.
    int depth = 0;
    Clock::time_point start{};
    std::vector<double> this_run(order.size(), 0.0);
    for (const Event& e : events) {
      if (e.start) {
        if (depth++ == 0) start = e.t;
      } else if (--depth == 0) {
        auto i = index.find(e.node);
        if (i != index.end()) this_run[i->second] += std::chrono::duration<double, std::milli>(e.t - start).count();
      }
    }
    for (size_t i = 0; i < order.size(); ++i) per_node[i].push_back(this_run[i]);
  }
  session.set_observer(nullptr);

  r.per_node = true;
  r.per_node_iterations = static_cast<int>(with.size());
  r.observed = summarize(with);
  r.unobserved = summarize(without);
  // Paired differences cancel the drift of a shared machine better than two separate medians.
  std::vector<double> diffs;
  for (size_t i = 0; i < with.size(); ++i) diffs.push_back(with[i] - without[i]);
  r.observer_overhead_pct = r.unobserved.p50 > 0 ? 100.0 * median(diffs) / r.unobserved.p50 : 0.0;
  // The same cost measured directly: the observer called in a tight loop, times the calls a run
  // makes. Not subject to run-to-run noise, so it shows what the paired figure is made of.
  const size_t calls_per_run = events.size();
  if (!order.empty() && calls_per_run > 0) {
    constexpr int kCalls = 20000;
    events.clear();
    events.reserve(kCalls);
    const auto t0 = Clock::now();
    for (int i = 0; i < kCalls; ++i) observer(*order[0], (i & 1) == 0);
    const double per_call_ms = ms_since(t0) / kCalls;
    r.observer_ns_per_call = per_call_ms * 1e6;
    r.observer_direct_pct =
        r.unobserved.p50 > 0 ? 100.0 * per_call_ms * static_cast<double>(calls_per_run) / r.unobserved.p50 : 0.0;
  }

  const Graph& names = original ? *original->model.graph : g;
  std::map<std::string, GroupTime> by_op, by_original;
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = *order[i];
    NodeTime t;
    t.id = n.id();
    t.name = n.name;
    t.op = op_label(n);
    t.provenance = n.provenance;
    SampleStats s = summarize(per_node[i]);
    t.mean_ms = s.mean;
    t.p50_ms = s.p50;
    r.node_sum_ms += t.mean_ms;

    GroupTime& op = by_op[t.op];
    op.key = t.op;
    op.nodes += 1;
    op.ms += t.mean_ms;

    std::vector<NodeId> prov = n.provenance.empty() ? std::vector<NodeId>{n.id()} : n.provenance;
    // Shares by FLOPs when every original node's cost is known and they sum to more than zero.
    std::vector<double> weight(prov.size(), 1.0);
    if (original && prov.size() > 1) {
      double total = 0;
      bool all_known = true;
      for (size_t k = 0; k < prov.size(); ++k) {
        auto it = original->flops.find(prov[k]);
        if (it == original->flops.end()) {
          all_known = false;
          break;
        }
        weight[k] = static_cast<double>(it->second);
        total += weight[k];
      }
      if (!all_known || total <= 0) std::fill(weight.begin(), weight.end(), 1.0);
    }
    double weight_sum = 0;
    for (double w : weight) weight_sum += w;
    for (size_t k = 0; k < prov.size(); ++k) {
      const NodeId id = prov[k];
      const double share = t.mean_ms * weight[k] / weight_sum;
      char key[24];
      std::snprintf(key, sizeof key, "%020llu", static_cast<unsigned long long>(id));  // sorts numerically
      GroupTime& og = by_original[key];
      og.key = std::to_string(id);
      if (og.nodes == 0) {
        if (const Node* on = names.find_node(id)) {
          og.name = on->name;
          og.op = op_label(*on);
        } else if (prov.size() == 1) {
          og.name = n.name;
          og.op = t.op;
        }
      }
      og.nodes += 1;
      og.ms += share;
    }
    r.nodes.push_back(std::move(t));
  }
  r.node_sum_pct = r.observed.mean > 0 ? 100.0 * r.node_sum_ms / r.observed.mean : 0.0;
  r.by_op = sorted_groups(std::move(by_op), r.node_sum_ms);
  r.by_original = sorted_groups(std::move(by_original), r.node_sum_ms);
  return r;
}

Json LatencyResult::to_json() const {
  Json j = Json::object();
  j["unit"] = "ms";
  j["end_to_end"] = end_to_end.to_json();
  Json runs = Json::array();
  for (double ms : runs_ms) runs.push_back(ms);
  j["runs_ms"] = std::move(runs);
  j["first_run_ms"] = first_run_ms;
  j["iterations"] = iterations;
  j["stable"] = stable;
  j["stop_reason"] = stop_reason;
  if (!per_node) return j;
  Json pn = Json::object();
  pn["iterations"] = per_node_iterations;
  pn["observed"] = observed.to_json();
  pn["unobserved"] = unobserved.to_json();
  pn["observer_overhead_pct"] = observer_overhead_pct;
  pn["observer_ns_per_call"] = observer_ns_per_call;
  pn["observer_direct_pct"] = observer_direct_pct;
  pn["node_sum_ms"] = node_sum_ms;
  pn["node_sum_pct_of_end_to_end"] = node_sum_pct;
  pn["attribution"] =
      "a node made from several original nodes splits its time between them in proportion to their FLOPs "
      "(evenly when a cost is unknown)";
  Json nodes_j = Json::array();
  for (const NodeTime& t : nodes) {
    Json n = Json::object();
    n["id"] = static_cast<int64_t>(t.id);
    n["name"] = t.name;
    n["op"] = t.op;
    Json prov = Json::array();
    for (NodeId p : t.provenance) prov.push_back(static_cast<int64_t>(p));
    n["provenance"] = std::move(prov);
    n["mean_ms"] = t.mean_ms;
    n["p50_ms"] = t.p50_ms;
    nodes_j.push_back(std::move(n));
  }
  pn["nodes"] = std::move(nodes_j);
  pn["by_op"] = groups_json(by_op, false);
  pn["by_original_node"] = groups_json(by_original, true);
  j["per_node"] = std::move(pn);
  return j;
}

std::string pin_to_cores(int cores) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
    fail("--pin: cannot read this process's CPU affinity (", std::strerror(errno), ")");
  cpu_set_t pinned;
  CPU_ZERO(&pinned);
  std::string list;
  int taken = 0;
  for (int c = 0; c < CPU_SETSIZE && taken < cores; ++c) {
    if (!CPU_ISSET(c, &allowed)) continue;
    CPU_SET(c, &pinned);
    if (!list.empty()) list += ',';
    list += std::to_string(c);
    ++taken;
  }
  if (taken < cores)
    fail("--pin: ", std::to_string(cores), " cores asked for, but this process may use only ", std::to_string(taken));
  if (sched_setaffinity(0, sizeof pinned, &pinned) != 0)
    fail("--pin: the OS refused to pin to CPUs ", list, " (", std::strerror(errno), ")");
  return "pinned to CPUs " + list;
}

}  // namespace kiln::profile
