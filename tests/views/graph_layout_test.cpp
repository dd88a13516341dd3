// The layered layout keeps its invariants on every kind of graph the view meets: each edge runs
// from a higher layer to a lower one (cycles included, drawn against the flow), no two boxes of a
// layer overlap, routes start and end on their boxes, and the same input always gives the same
// picture. The view graph folds weights into nodes, collapses scopes and expands bodies.
#include <QtTest>
#include <random>

#include "core/analysis/shape_inference.h"
#include "core/onnx/onnx_import.h"
#include "tests/bench/synthetic_models.h"
#include "views/graph/layered_layout.h"
#include "views/graph/spatial_grid.h"
#include "views/graph/view_graph.h"

using namespace kiln;

namespace {

layout::LayoutInput input_of(const ViewGraph& vg) {
  layout::LayoutInput in;
  for (const ViewItem& it : vg.items) in.sizes.push_back(it.size);
  for (const ViewEdge& e : vg.edges) in.edges.push_back({e.from, e.to});
  return in;
}

// Checks every invariant; returns an empty string or the first problem.
QString check_invariants(const layout::LayoutInput& in, const layout::LayoutResult& r, bool acyclic) {
  if (r.centers.size() != in.sizes.size() || r.layers.size() != in.sizes.size()) return "size mismatch";
  for (size_t e = 0; e < in.edges.size(); ++e) {
    const auto [a, b] = in.edges[e];
    if (a == b) continue;
    if (acyclic && r.layers[a] >= r.layers[b])
      return QString("edge %1 -> %2 does not go down (layers %3, %4)").arg(a).arg(b).arg(r.layers[a]).arg(r.layers[b]);
    if (r.layers[a] == r.layers[b]) return QString("edge %1 -> %2 within one layer").arg(a).arg(b);
    const auto& route = r.routes[e];
    if (route.size() < 2) return QString("edge %1 has no route").arg(e);
    const bool down = r.layers[a] < r.layers[b];
    for (size_t k = 1; k < route.size(); ++k)
      if (down ? route[k].y < route[k - 1].y - 1e-9 : route[k].y > route[k - 1].y + 1e-9)
        return QString("route %1 turns back").arg(e);
    const layout::Point end = route.back();
    if (std::abs(end.x - r.centers[b].x) > 1e-6 || std::abs(end.y - (r.centers[b].y - (down ? 1 : -1) * in.sizes[b].h / 2)) > 1e-6)
      return QString("route %1 does not end on its target").arg(e);
  }
  std::map<int, std::vector<size_t>> by_layer;
  for (size_t v = 0; v < r.layers.size(); ++v) by_layer[r.layers[v]].push_back(v);
  for (auto& [l, nodes] : by_layer) {
    std::sort(nodes.begin(), nodes.end(), [&](size_t a, size_t b) { return r.centers[a].x < r.centers[b].x; });
    for (size_t i = 1; i < nodes.size(); ++i) {
      const size_t a = nodes[i - 1], b = nodes[i];
      if (r.centers[a].x + in.sizes[a].w / 2 > r.centers[b].x - in.sizes[b].w / 2 + 1e-6)
        return QString("nodes %1 and %2 overlap in layer %3").arg(a).arg(b).arg(l);
      if (std::abs(r.centers[a].y - r.centers[b].y) > 1e-9) return QString("layer %1 is not level").arg(l);
    }
  }
  return {};
}

bool same_layout(const layout::LayoutResult& a, const layout::LayoutResult& b) {
  if (a.centers.size() != b.centers.size() || a.routes.size() != b.routes.size()) return false;
  for (size_t i = 0; i < a.centers.size(); ++i)
    if (a.centers[i].x != b.centers[i].x || a.centers[i].y != b.centers[i].y) return false;
  for (size_t e = 0; e < a.routes.size(); ++e) {
    if (a.routes[e].size() != b.routes[e].size()) return false;
    for (size_t k = 0; k < a.routes[e].size(); ++k)
      if (a.routes[e][k].x != b.routes[e][k].x || a.routes[e][k].y != b.routes[e][k].y) return false;
  }
  return true;
}

}  // namespace

class GraphLayoutTest : public QObject {
  Q_OBJECT
 private slots:
  void invariantsOnSyntheticModels() {
    for (const Model& m : {bench::synthetic_transformer(600), bench::synthetic_resnet(600)}) {
      const ViewGraph vg = build_view_graph(*m.graph, {});
      const layout::LayoutInput in = input_of(vg);
      const layout::LayoutResult r = layout::layered_layout(in);
      QCOMPARE(check_invariants(in, r, true), QString());
      QVERIFY(r.width > 0 && r.height > 0);
    }
  }

  void invariantsOnSamples() {
    for (const char* name : {"resnet_mini", "bert_block", "mobilenet_mini"}) {
      Model m = load_model(std::string(KILN_SAMPLES_DIR) + "/" + name + ".onnx");
      infer_shapes(m);
      const ViewGraph vg = build_view_graph(*m.graph, {});
      QVERIFY2(!vg.items.empty(), name);
      const layout::LayoutInput in = input_of(vg);
      QCOMPARE(check_invariants(in, layout::layered_layout(in), true), QString());
    }
  }

  void randomDagsAndCycles() {
    std::mt19937 rng(7);
    for (int round = 0; round < 40; ++round) {
      layout::LayoutInput in;
      const uint32_t n = 1 + rng() % 60;
      for (uint32_t v = 0; v < n; ++v) in.sizes.push_back({20.0 + rng() % 120, 20.0 + rng() % 40});
      const bool acyclic = round % 2 == 0;
      for (uint32_t k = 0; k < n * 2; ++k) {
        uint32_t a = rng() % n, b = rng() % n;
        if (acyclic && a > b) std::swap(a, b);
        in.edges.push_back({a, b});  // duplicates and self-loops included on purpose
      }
      const layout::LayoutResult r = layout::layered_layout(in);
      QCOMPARE(check_invariants(in, r, acyclic), QString());
      QVERIFY(same_layout(r, layout::layered_layout(in)));
    }
  }

  void deterministic() {
    const Model m = bench::synthetic_transformer(900);
    const ViewGraph a = lay_out_view(*m.graph, {}), b = lay_out_view(*m.graph, {});
    QVERIFY(same_layout(a.layout, b.layout));
    QCOMPARE(a.layout.crossings, b.layout.crossings);
  }

  void cancelStopsEarly() {
    const Model m = bench::synthetic_resnet(2000);
    int calls = 0;
    const ViewGraph vg = lay_out_view(*m.graph, {}, [&](int) { return ++calls < 3; });
    QVERIFY(vg.layout.cancelled);
    QVERIFY(vg.layout.centers.empty());
  }

  void weightsAreInsideTheirNodes() {
    const Model m = bench::synthetic_resnet(20);
    const ViewGraph vg = build_view_graph(*m.graph, {});
    size_t ops = 0;
    for (const ViewItem& it : vg.items) {
      QVERIFY(it.kind != ViewItem::Kind::Input || it.title == "image");  // no boxes for weights
      if (it.kind == ViewItem::Kind::Op && it.title == "Conv") {
        QVERIFY(!it.constants.empty());
        QVERIFY2(QString::fromStdString(it.constants[0]).startsWith(QStringLiteral("W ⟨8×8×3×3⟩")),
                 it.constants[0].c_str());
      }
      ops += it.kind == ViewItem::Kind::Op;
    }
    QCOMPARE(ops, m.graph->node_count());
  }

  void collapsedScopesAreSingleBoxes() {
    const Model m = bench::synthetic_transformer(200);
    const ViewGraph open = build_view_graph(*m.graph, {});
    QVERIFY(std::find(open.scopes.begin(), open.scopes.end(), "/encoder/layer.1/attention") != open.scopes.end());
    ViewOptions o;
    o.collapsed_scopes = {"/encoder/layer.0", "/encoder/layer.1/attention"};
    const ViewGraph vg = lay_out_view(*m.graph, o);
    int groups = 0;
    for (const ViewItem& it : vg.items)
      if (it.kind == ViewItem::Kind::Group) {
        ++groups;
        QVERIFY(it.members.size() > 5);
      }
    QCOMPARE(groups, 2);
    QVERIFY(vg.items.size() < open.items.size());
    // Every node still maps to an item, and edges between groups are kept.
    m.graph->for_each_node([&](const Node* n) { QVERIFY(vg.item_of_node.count(n->id())); });
    QCOMPARE(check_invariants(input_of(vg), vg.layout, false), QString());
  }

  void bigGraphsOpenWithTheirBlocksCollapsed() {
    const Model m = bench::synthetic_transformer(5000);
    ViewOptions o;
    o.auto_collapse_above = 4000;
    const ViewGraph vg = lay_out_view(*m.graph, o);
    // /embeddings, /encoder, /pooler are too few to show structure; /encoder/layer.N are not.
    QCOMPARE(vg.auto_collapsed_depth, 2);
    QVERIFY(vg.collapsed_scopes.count("/encoder/layer.7"));
    QVERIFY(vg.items.size() < 250);
    QCOMPARE(check_invariants(input_of(vg), vg.layout, false), QString());
    // Below the threshold, or with scopes already chosen, nothing is collapsed automatically.
    o.auto_collapse_above = 6000;
    QCOMPARE(build_view_graph(*m.graph, o).auto_collapsed_depth, 0);
    o.auto_collapse_above = 4000;
    o.collapsed_scopes = {"/encoder/layer.0"};
    QCOMPARE(build_view_graph(*m.graph, o).collapsed_scopes.size(), size_t{1});
  }

  void bodiesExpand() {
    ModelBuilder b("if_model");
    Value* c = b.input("cond", DataType::Bool, std::vector<int64_t>{});
    // The branches read x by name (a capture), not through an input of the If.
    b.input("x", DataType::Float32, std::vector<int64_t>{4});
    auto branch = [&](const char* op) {
      std::unique_ptr<Graph> g = b.new_subgraph(op);
      GraphBuilder gb(*g);
      gb.output(gb.op(op, {gb.capture("x")}), DataType::Float32, {Dim::known(4)});
      return g;
    };
    Value* y = b.op("If", {c}, {attr::g("then_branch", branch("Relu")), attr::g("else_branch", branch("Sigmoid"))}, "/if");
    b.output(b.op("Neg", {y}, {}, "/neg"), DataType::Float32, {Dim::known(4)});
    const Model m = b.take();
    NodeId if_id = 0;
    m.graph->for_each_node([&](const Node* n) { if (n->op_type == "If") if_id = n->id(); });
    const ViewGraph closed = build_view_graph(*m.graph, {});
    ViewOptions o;
    o.expanded_bodies = {if_id};
    const ViewGraph vg = lay_out_view(*m.graph, o);
    QCOMPARE(vg.items.size(), closed.items.size() + 2);
    int inside = 0;
    for (const ViewItem& it : vg.items) inside += it.body_depth == 1;
    QCOMPARE(inside, 2);
    QCOMPARE(check_invariants(input_of(vg), vg.layout, true), QString());
  }

  void spatialGridFindsWhatIsVisible() {
    const Model m = bench::synthetic_resnet(300);
    const ViewGraph vg = lay_out_view(*m.graph, {});
    std::vector<Rect> rects;
    for (size_t i = 0; i < vg.items.size(); ++i) {
      const auto c = vg.layout.centers[i];
      const auto s = vg.items[i].size;
      rects.push_back({c.x - s.w / 2, c.y - s.h / 2, c.x + s.w / 2, c.y + s.h / 2});
    }
    SpatialGrid grid;
    grid.build(rects, vg.layout.routes, 300);
    const Rect window{0, vg.layout.height / 3, vg.layout.width, vg.layout.height / 3 + 700};
    std::vector<uint32_t> items, edges;
    grid.query(window, items, edges);
    std::vector<uint32_t> expected;
    for (uint32_t i = 0; i < rects.size(); ++i)
      if (rects[i].intersects(window)) expected.push_back(i);
    QVERIFY(!expected.empty());
    QCOMPARE(items, expected);
    QVERIFY(!edges.empty());
    const auto c = vg.layout.centers[expected[0]];
    QCOMPARE(grid.item_at(c.x, c.y), static_cast<int64_t>(expected[0]));
    QCOMPARE(grid.item_at(-5, -5), int64_t{-1});
  }
};

QTEST_MAIN(GraphLayoutTest)
#include "graph_layout_test.moc"
