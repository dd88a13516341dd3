#include "views/graph/layered_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kiln::layout {
namespace {

// Adjacency in compressed rows: the neighbours of v are adj[start[v] .. start[v + 1]).
struct Csr {
  std::vector<uint32_t> start, adj;
  size_t degree(uint32_t v) const { return start[v + 1] - start[v]; }
  const uint32_t* begin(uint32_t v) const { return adj.data() + start[v]; }
  const uint32_t* end(uint32_t v) const { return adj.data() + start[v + 1]; }
};

Csr make_csr(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges, bool forward) {
  Csr c;
  c.start.assign(n + 1, 0);
  for (const auto& [a, b] : edges) ++c.start[(forward ? a : b) + 1];
  std::partial_sum(c.start.begin(), c.start.end(), c.start.begin());
  c.adj.resize(edges.size());
  std::vector<uint32_t> fill(c.start.begin(), c.start.end() - 1);
  for (const auto& [a, b] : edges) {
    if (forward)
      c.adj[fill[a]++] = b;
    else
      c.adj[fill[b]++] = a;
  }
  return c;
}

// Reverses the edges that close a cycle (DFS back edges), so the rest can assume a DAG.
std::vector<bool> find_back_edges(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges) {
  std::vector<std::vector<uint32_t>> out_edges(n);
  for (uint32_t e = 0; e < edges.size(); ++e) out_edges[edges[e].first].push_back(e);
  std::vector<uint8_t> state(n, 0);  // 0 unvisited, 1 on the stack, 2 done
  std::vector<bool> back(edges.size(), false);
  std::vector<std::pair<uint32_t, size_t>> stack;
  for (uint32_t root = 0; root < n; ++root) {
    if (state[root]) continue;
    state[root] = 1;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next == out_edges[v].size()) {
        state[v] = 2;
        stack.pop_back();
        continue;
      }
      const uint32_t e = out_edges[v][next++];
      const uint32_t w = edges[e].second;
      if (state[w] == 1)
        back[e] = true;
      else if (state[w] == 0) {
        state[w] = 1;
        stack.push_back({w, 0});
      }
    }
  }
  return back;
}

// Longest-path layering; a source (a graph input, a constant-producing node) is then moved down
// to just above its first consumer instead of sitting at the top with a long edge.
std::vector<int> assign_layers(size_t n, const Csr& down, const Csr& up) {
  std::vector<int> layer(n, 0);
  std::vector<uint32_t> indeg(n), order;
  order.reserve(n);
  for (uint32_t v = 0; v < n; ++v) {
    indeg[v] = static_cast<uint32_t>(up.degree(v));
    if (!indeg[v]) order.push_back(v);
  }
  for (size_t head = 0; head < order.size(); ++head) {
    const uint32_t v = order[head];
    for (const uint32_t* w = down.begin(v); w != down.end(v); ++w) {
      layer[*w] = std::max(layer[*w], layer[v] + 1);
      if (--indeg[*w] == 0) order.push_back(*w);
    }
  }
  for (size_t i = order.size(); i-- > 0;) {
    const uint32_t v = order[i];
    if (up.degree(v) || !down.degree(v)) continue;
    int lowest = std::numeric_limits<int>::max();
    for (const uint32_t* w = down.begin(v); w != down.end(v); ++w) lowest = std::min(lowest, layer[*w]);
    layer[v] = lowest - 1;
  }
  return layer;
}

// Crossings between two adjacent layers: inversions of the lower ends when edges are sorted by
// their upper ends, counted with a Fenwick tree.
int64_t count_crossings(const std::vector<uint32_t>& upper, size_t lower_size, const Csr& down,
                        const std::vector<uint32_t>& pos) {
  std::vector<uint32_t> ends, tree(lower_size + 1, 0);
  int64_t crossings = 0;
  size_t seen = 0;
  for (uint32_t u : upper) {
    ends.assign(down.begin(u), down.end(u));
    for (uint32_t& w : ends) w = pos[w];
    std::sort(ends.begin(), ends.end());
    for (uint32_t p : ends) {
      // Edges seen so far that end strictly right of p cross this one.
      size_t not_greater = 0;
      for (size_t i = p + 1; i > 0; i -= i & (~i + 1)) not_greater += tree[i];
      crossings += static_cast<int64_t>(seen - not_greater);
    }
    for (uint32_t p : ends) {
      for (size_t i = p + 1; i <= lower_size; i += i & (~i + 1)) ++tree[i];
      ++seen;
    }
  }
  return crossings;
}

// Positions minimizing sum w_j (x_j - d_j)^2 with x_j - x_{j-1} >= sep_j: after shifting by the
// cumulative separations this is isotonic regression, solved exactly by pooling adjacent
// violators in O(m).
void place_layer(const std::vector<uint32_t>& order, const std::vector<double>& desired,
                 const std::vector<double>& weight, const std::vector<double>& sep, std::vector<double>& x) {
  struct Block {
    double w, wt;
    size_t count;
  };
  std::vector<Block> blocks;
  blocks.reserve(order.size());
  double off = 0;
  for (size_t j = 0; j < order.size(); ++j) {
    off += sep[j];
    const uint32_t v = order[j];
    Block b{weight[v], weight[v] * (desired[v] - off), 1};
    while (!blocks.empty() && blocks.back().wt / blocks.back().w >= b.wt / b.w) {
      b.w += blocks.back().w;
      b.wt += blocks.back().wt;
      b.count += blocks.back().count;
      blocks.pop_back();
    }
    blocks.push_back(b);
  }
  size_t j = 0;
  off = 0;
  for (const Block& b : blocks) {
    const double y = b.wt / b.w;
    for (size_t k = 0; k < b.count; ++k, ++j) {
      off += sep[j];
      x[order[j]] = y + off;
    }
  }
}

// The median of v; of the two middle values of an even count, the one nearer `current`. Taking
// their mean instead puts every two-input node (a MatMul of two branches, a residual Add) between
// its inputs, and the half-step shifts add up block after block into a diagonal drift.
double median_of(std::vector<double>& v, double current) {
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
  if (v.size() % 2) return v[m];
  const double hi = v[m];
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m));
  return std::abs(lo - current) < std::abs(hi - current) ? lo : hi;
}

}  // namespace

LayoutResult layered_layout(const LayoutInput& input, const LayoutOptions& opt, const LayoutProgress& progress) {
  LayoutResult result;
  auto step = [&](int percent) {
    if (progress && !progress(percent)) result.cancelled = true;
    return !result.cancelled;
  };
  const size_t n = input.sizes.size();

  // Unique edges without self-loops; every input edge maps to one of them (or to none).
  std::vector<std::pair<uint32_t, uint32_t>> unique;
  std::vector<int64_t> edge_of(input.edges.size(), -1);
  {
    std::vector<std::pair<std::pair<uint32_t, uint32_t>, uint32_t>> keyed;
    for (uint32_t e = 0; e < input.edges.size(); ++e) {
      const auto [a, b] = input.edges[e];
      if (a != b && a < n && b < n) keyed.push_back({{a, b}, e});
    }
    std::sort(keyed.begin(), keyed.end());
    for (size_t i = 0; i < keyed.size(); ++i) {
      if (i == 0 || keyed[i].first != keyed[i - 1].first) unique.push_back(keyed[i].first);
      edge_of[keyed[i].second] = static_cast<int64_t>(unique.size() - 1);
    }
  }
  const std::vector<bool> reversed = find_back_edges(n, unique);
  std::vector<std::pair<uint32_t, uint32_t>> oriented(unique);
  for (size_t e = 0; e < oriented.size(); ++e)
    if (reversed[e]) std::swap(oriented[e].first, oriented[e].second);
  // Reversing can make two edges parallel; one of them is enough for layering.
  std::vector<std::pair<uint32_t, uint32_t>> dag(oriented);
  std::sort(dag.begin(), dag.end());
  dag.erase(std::unique(dag.begin(), dag.end()), dag.end());
  if (!step(5)) return result;

  const std::vector<int> layer = assign_layers(n, make_csr(n, dag, true), make_csr(n, dag, false));
  int layer_count = 0;
  for (int l : layer) layer_count = std::max(layer_count, l + 1);
  if (!step(12)) return result;

  // Virtual graph: real nodes, then one dummy trunk per node whose edges skip layers.
  std::vector<int> vlayer(layer);
  std::vector<double> vwidth(n);
  for (size_t v = 0; v < n; ++v) vwidth[v] = input.sizes[v].w;
  std::vector<uint32_t> trunk_begin(n, 0);
  std::vector<std::pair<uint32_t, uint32_t>> vedges;
  vedges.reserve(dag.size() * 2);
  {
    const Csr down = make_csr(n, dag, true);
    for (uint32_t a = 0; a < n; ++a) {
      int deepest = layer[a] + 1;
      for (const uint32_t* b = down.begin(a); b != down.end(a); ++b) deepest = std::max(deepest, layer[*b]);
      const uint32_t first = static_cast<uint32_t>(vlayer.size());
      trunk_begin[a] = first;
      for (int l = layer[a] + 1; l < deepest; ++l) {
        vedges.push_back({l == layer[a] + 1 ? a : static_cast<uint32_t>(vlayer.size() - 1),
                          static_cast<uint32_t>(vlayer.size())});
        vlayer.push_back(l);
        vwidth.push_back(opt.dummy_width);
      }
      for (const uint32_t* b = down.begin(a); b != down.end(a); ++b) {
        const int span = layer[*b] - layer[a];
        vedges.push_back({span == 1 ? a : first + static_cast<uint32_t>(span - 2), *b});
      }
    }
  }
  const size_t vn = vlayer.size();
  result.dummy_count = vn - n;
  const Csr vdown = make_csr(vn, vedges, true);
  const Csr vup = make_csr(vn, vedges, false);
  if (!step(20)) return result;

  // Initial order: depth-first from the sources, so chains start out next to each other.
  std::vector<std::vector<uint32_t>> layers(static_cast<size_t>(layer_count));
  {
    std::vector<bool> seen(vn, false);
    std::vector<uint32_t> stack;
    auto visit_from = [&](uint32_t root) {
      stack.push_back(root);
      while (!stack.empty()) {
        const uint32_t v = stack.back();
        stack.pop_back();
        if (seen[v]) continue;
        seen[v] = true;
        layers[static_cast<size_t>(vlayer[v])].push_back(v);
        for (const uint32_t* w = vdown.end(v); w != vdown.begin(v);)
          if (!seen[*--w]) stack.push_back(*w);
      }
    };
    for (uint32_t v = 0; v < n; ++v)
      if (!vup.degree(v)) visit_from(v);
    for (uint32_t v = 0; v < vn; ++v)
      if (!seen[v]) visit_from(v);
  }
  std::vector<uint32_t> pos(vn);
  auto number = [&](const std::vector<uint32_t>& l) {
    for (uint32_t i = 0; i < l.size(); ++i) pos[l[i]] = i;
  };
  for (const auto& l : layers) number(l);
  auto total_crossings = [&] {
    int64_t c = 0;
    for (size_t i = 0; i + 1 < layers.size(); ++i) c += count_crossings(layers[i], layers[i + 1].size(), vdown, pos);
    return c;
  };

  int64_t best = total_crossings();
  std::vector<std::vector<uint32_t>> best_layers = layers;
  std::vector<double> key(vn);
  auto reorder = [&](std::vector<uint32_t>& l, const Csr& adj, size_t other_size) {
    const double scale = l.empty() ? 1.0 : static_cast<double>(other_size) / static_cast<double>(l.size());
    for (uint32_t v : l) {
      const size_t d = adj.degree(v);
      if (!d) {
        key[v] = pos[v] * scale;
        continue;
      }
      double sum = 0;
      for (const uint32_t* w = adj.begin(v); w != adj.end(v); ++w) sum += pos[*w];
      key[v] = sum / static_cast<double>(d);
    }
    std::stable_sort(l.begin(), l.end(), [&](uint32_t a, uint32_t b) { return key[a] < key[b]; });
    number(l);
  };
  for (int s = 0; s < opt.crossing_sweeps && layer_count > 1; ++s) {
    for (size_t i = 1; i < layers.size(); ++i) reorder(layers[i], vup, layers[i - 1].size());
    for (size_t i = layers.size() - 1; i-- > 0;) reorder(layers[i], vdown, layers[i + 1].size());
    const int64_t c = total_crossings();
    if (c < best) {
      best = c;
      best_layers = layers;
    }
    if (!step(20 + 45 * (s + 1) / std::max(1, opt.crossing_sweeps))) return result;
    if (best == 0) break;
  }
  layers = std::move(best_layers);
  for (const auto& l : layers) number(l);
  result.crossings = best;

  // Coordinates: start packed, then pull each layer towards its neighbours, down and up in turn.
  std::vector<double> x(vn), desired(vn), weight(vn);
  std::vector<std::vector<double>> seps(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    auto& sep = seps[i];
    sep.resize(l.size());
    double cx = 0;
    for (size_t j = 0; j < l.size(); ++j) {
      const bool dummy_pair = j > 0 && (l[j] >= n || l[j - 1] >= n);
      sep[j] = j == 0 ? 0 : (vwidth[l[j - 1]] + vwidth[l[j]]) / 2 + (dummy_pair ? opt.node_gap / 3 : opt.node_gap);
      cx += sep[j];
      x[l[j]] = cx;
    }
  }
  std::vector<double> around;
  // A real node follows its real neighbours when it has any: a residual Add then stays under the
  // branch it continues instead of halfway towards the skip edge, which would shift every block
  // a little further sideways and turn a deep network into a staircase.
  auto gather = [&](uint32_t v, const Csr& adj, bool real_only) {
    for (const uint32_t* w = adj.begin(v); w != adj.end(v); ++w)
      if (!real_only || *w < n) around.push_back(x[*w]);
  };
  auto pull = [&](size_t i, bool use_up, bool use_down) {
    for (uint32_t v : layers[i]) {
      around.clear();
      for (bool real_only : {v < n, false}) {
        if (use_up) gather(v, vup, real_only);
        if (use_down) gather(v, vdown, real_only);
        if (!around.empty()) break;
      }
      if (around.empty()) {
        desired[v] = x[v];
        weight[v] = 0.05;  // free nodes stay roughly where they are but give way easily
      } else {
        desired[v] = median_of(around, x[v]);
        // Operators hold their place and long edges bend around them: a chain of operators
        // then stays one straight column, which is how people read a network.
        weight[v] = v >= n ? 1.0 : 1e4;
      }
    }
    place_layer(layers[i], desired, weight, seps[i], x);
  };
  for (int s = 0; s < opt.coordinate_sweeps; ++s) {
    if (s % 2 == 0)
      for (size_t i = 1; i < layers.size(); ++i) pull(i, true, false);
    else
      for (size_t i = layers.size() - 1; i-- > 0;) pull(i, false, true);
    if (!step(65 + 30 * (s + 1) / std::max(1, opt.coordinate_sweeps))) return result;
  }
  // The last word goes to the parents, top down: each node settles under its inputs, so a block
  // starts in the column its predecessor ended in and deep networks stay vertical.
  for (size_t i = 1; i < layers.size(); ++i) pull(i, true, false);

  // Vertical placement: each layer as tall as its tallest node, nodes centred in it.
  std::vector<double> layer_top(layers.size()), layer_height(layers.size(), 0);
  for (size_t v = 0; v < n; ++v)
    layer_height[static_cast<size_t>(layer[v])] = std::max(layer_height[static_cast<size_t>(layer[v])], input.sizes[v].h);
  double y = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    layer_top[i] = y;
    y += layer_height[i] + opt.layer_gap;
  }
  double min_x = std::numeric_limits<double>::max(), max_x = std::numeric_limits<double>::lowest();
  for (size_t v = 0; v < vn; ++v) {
    min_x = std::min(min_x, x[v] - vwidth[v] / 2);
    max_x = std::max(max_x, x[v] + vwidth[v] / 2);
  }
  if (vn == 0) min_x = max_x = 0;
  result.centers.resize(n);
  for (size_t v = 0; v < n; ++v) {
    const size_t l = static_cast<size_t>(layer[v]);
    result.centers[v] = {x[v] - min_x, layer_top[l] + layer_height[l] / 2};
  }
  result.layers = layer;
  result.layer_count = layer_count;
  result.width = max_x - min_x;
  result.height = layers.empty() ? 0 : y - opt.layer_gap;

  // Routes: down the source's trunk to the layer above the target, vertical through each layer.
  // Only the deepest edge of a trunk carries the trunk itself; the others branch off it where
  // they leave, so a value read by a thousand blocks costs a thousand short routes, not a
  // thousand copies of a trunk as long as the graph.
  std::vector<int64_t> deepest_edge(n, -1);
  for (size_t e = 0; e < oriented.size(); ++e) {
    const auto [a, b] = oriented[e];
    if (deepest_edge[a] < 0 || layer[b] > layer[oriented[static_cast<size_t>(deepest_edge[a])].second])
      deepest_edge[a] = static_cast<int64_t>(e);
  }
  std::vector<std::vector<Point>> unique_routes(oriented.size());
  for (size_t e = 0; e < oriented.size(); ++e) {
    const auto [a, b] = oriented[e];
    auto& r = unique_routes[e];
    const Point ca = result.centers[a], cb = result.centers[b];
    auto trunk_point = [&](int l, bool bottom) {
      const uint32_t d = trunk_begin[a] + static_cast<uint32_t>(l - layer[a] - 1);
      const size_t li = static_cast<size_t>(l);
      return Point{x[d] - min_x, layer_top[li] + (bottom ? layer_height[li] : 0)};
    };
    // A reversed edge (one closing a cycle) keeps its whole route, so that it still ends on its
    // target once turned around.
    if (layer[b] - layer[a] > 1 && deepest_edge[a] != static_cast<int64_t>(e) && !reversed[e]) {
      r.push_back(trunk_point(layer[b] - 1, true));
    } else {
      r.push_back({ca.x, ca.y + input.sizes[a].h / 2});
      for (int l = layer[a] + 1; l < layer[b]; ++l) {
        r.push_back(trunk_point(l, false));
        r.push_back(trunk_point(l, true));
      }
    }
    r.push_back({cb.x, cb.y - input.sizes[b].h / 2});
    if (reversed[e]) std::reverse(r.begin(), r.end());
  }
  result.routes.resize(input.edges.size());
  for (size_t e = 0; e < input.edges.size(); ++e)
    if (edge_of[e] >= 0) result.routes[e] = unique_routes[static_cast<size_t>(edge_of[e])];
  step(100);
  result.cancelled = false;
  return result;
}

}  // namespace kiln::layout
