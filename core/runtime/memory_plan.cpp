#include "core/runtime/memory_plan.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_set>

namespace kiln {
ArenaLayout assign_offsets(const std::vector<Lifetime>& lifetimes) {
  ArenaLayout out;
  out.offsets.assign(lifetimes.size(), 0);
  std::vector<size_t> order(lifetimes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return lifetimes[a].size > lifetimes[b].size; });

  std::vector<size_t> placed;
  std::vector<std::pair<size_t, size_t>> busy;  // [offset, end) of conflicting placed buffers
  for (size_t i : order) {
    const Lifetime& t = lifetimes[i];
    busy.clear();
    for (size_t j : placed) {
      const Lifetime& o = lifetimes[j];
      if (o.first <= t.last && t.first <= o.last) busy.emplace_back(out.offsets[j], out.offsets[j] + o.size);
    }
    std::sort(busy.begin(), busy.end());
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (const auto& [begin, end] : busy) {
      if (begin > cursor && begin - cursor >= t.size && begin - cursor < best_gap) {
        best = cursor;
        best_gap = begin - cursor;
      }
      cursor = std::max(cursor, end);
    }
    out.offsets[i] = best == SIZE_MAX ? cursor : best;
    out.peak_bytes = std::max(out.peak_bytes, out.offsets[i] + t.size);
    placed.push_back(i);
  }

  size_t steps = 0;
  for (const Lifetime& t : lifetimes) steps = std::max(steps, t.last + 1);
  std::vector<size_t> live(steps + 1, 0);
  for (const Lifetime& t : lifetimes) {
    live[t.first] += t.size;
    live[t.last + 1] -= t.size;
  }
  size_t running = 0;
  for (size_t s = 0; s < steps; ++s) {
    running += live[s];
    out.live_peak_bytes = std::max(out.live_peak_bytes, running);
  }
  return out;
}

std::unordered_map<const Value*, size_t> last_uses(const std::vector<Node*>& order) {
  std::unordered_map<const Value*, size_t> last;
  if (order.empty()) return last;
  const Graph* g = order.front()->graph();
  for (size_t i = 0; i < order.size(); ++i) {
    const Node* n = order[i];
    for (const Value* v : n->inputs())
      if (v) last[v] = i;
    std::unordered_set<std::string> captured;
    n->collect_captured_names(captured);
    for (const std::string& name : captured)
      if (const Value* v = g->find_value(name)) last[v] = i;
  }
  return last;
}

const PlannedTensor* MemoryPlan::find(const Value* v) const {
  auto it = index_.find(v);
  return it == index_.end() ? nullptr : &tensors[it->second];
}

std::optional<MemoryPlan> plan_memory(const std::vector<Node*>& order) {
  MemoryPlan plan;
  std::unordered_map<const Value*, size_t> last = last_uses(order);
  std::vector<Lifetime> lifetimes;
  for (size_t i = 0; i < order.size(); ++i) {
    for (const Value* v : order[i]->outputs()) {
      if (!v || v->is_graph_output()) continue;
      if (!v->type.is_tensor() || !v->type.shape) return std::nullopt;
      if (v->type.dtype == DataType::String) continue;  // strings live on the heap
      std::optional<int64_t> n = v->type.shape->numel();
      if (!n) return std::nullopt;
      int64_t bytes = dtype_storage_bytes(v->type.dtype, *n);
      if (bytes < 0) return std::nullopt;
      size_t size = (static_cast<size_t>(bytes) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
      auto it = last.find(v);
      size_t end = it == last.end() ? i : std::max(i, it->second);
      plan.tensors.push_back({v, size, 0, i, end});
      lifetimes.push_back({size, i, end});
    }
  }
  ArenaLayout layout = assign_offsets(lifetimes);
  for (size_t k = 0; k < plan.tensors.size(); ++k) {
    plan.tensors[k].offset = layout.offsets[k];
    plan.index_[plan.tensors[k].value] = k;
  }
  plan.peak_bytes = layout.peak_bytes;
  plan.live_peak_bytes = layout.live_peak_bytes;
  return plan;
}

}  // namespace kiln
