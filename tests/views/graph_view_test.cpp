// The graph view: search with next/previous, selection, fit/zoom/pan, diff and heat marks, PNG
// and SVG export, scope collapse through the panel's background layout; and a 10,000-node graph
// painted at several zoom levels, with the frame times printed.
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/bench/synthetic_models.h"
#include "views/graph/graph_panel.h"
#include "views/graph/graph_view.h"

using namespace kiln;

class GraphViewTest : public QObject {
  Q_OBJECT
 private slots:
  void searchNextPreviousAndSelection() {
    const Model m = bench::synthetic_resnet(60);
    GraphView view;
    view.resize(800, 600);
    view.set_view_graph(std::make_shared<const ViewGraph>(lay_out_view(*m.graph, {})));
    QSignalSpy selected(&view, &GraphView::nodeSelected);
    const int convs = view.search(QStringLiteral("conv"), false);
    QVERIFY(convs >= 8);
    QCOMPARE(view.match_index(), 0);
    QCOMPARE(selected.count(), 1);
    const int64_t first = view.selected_item();
    view.next_match();
    QCOMPARE(view.match_index(), 1);
    QVERIFY(view.selected_item() != first);
    view.previous_match();
    view.previous_match();  // wraps around to the last
    QCOMPARE(view.match_index(), convs - 1);
    // Regular expressions over op type and name; a bad one matches nothing.
    QCOMPARE(view.search(QStringLiteral("^Relu$"), true), view.search(QStringLiteral("Relu"), false));
    QVERIFY(view.search(QStringLiteral("/layer0/block\\.1/.*Add"), true) >= 1);
    QCOMPARE(view.search(QStringLiteral("(unclosed"), true), 0);
    // The selected item is centred and readable.
    view.search(QStringLiteral("GlobalAveragePool"), false);
    const ViewGraph* vg = view.view_graph();
    const auto c = vg->layout.centers[static_cast<size_t>(view.selected_item())];
    QVERIFY(view.visible_scene_rect().contains(QPointF(c.x, c.y)));
    QVERIFY(view.scale() >= 0.6);
  }

  void zoomPanFit() {
    const Model m = bench::synthetic_transformer(400);
    GraphView view;
    view.resize(800, 600);
    view.set_view_graph(std::make_shared<const ViewGraph>(lay_out_view(*m.graph, {})));
    const ViewGraph* vg = view.view_graph();
    QVERIFY(view.visible_scene_rect().contains(QRectF(0, 0, vg->layout.width, vg->layout.height)));
    const QPointF center = view.center();
    view.zoom_by(4);
    QVERIFY(std::abs(view.center().x() - center.x()) < 1e-6);
    const double s = view.scale();
    view.pan_by(QPointF(100, 0));
    QVERIFY(std::abs(view.center().x() - (center.x() - 100 / s)) < 1e-6);
    view.fit();
    QVERIFY(view.scale() < s);
  }

  void diffHeatAndExports() {
    const Model m = bench::synthetic_resnet(40);
    GraphView view;
    view.resize(640, 480);
    view.set_view_graph(std::make_shared<const ViewGraph>(lay_out_view(*m.graph, {})));
    std::unordered_map<NodeId, DiffMark> marks;
    std::unordered_map<NodeId, float> heat;
    float t = 0;
    m.graph->for_each_node([&](const Node* n) {
      if (n->op_type == "Conv") marks[n->id()] = DiffMark::Added;
      heat[n->id()] = t;
      t = std::min(1.f, t + 0.05f);
    });
    view.set_diff(marks);
    view.set_heat(heat);
    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath(QStringLiteral("graph.png"));
    const QString whole = dir.filePath(QStringLiteral("whole.png"));
    const QString svg = dir.filePath(QStringLiteral("graph.svg"));
    QVERIFY2(view.export_png(png, false, &error), qPrintable(error));
    QVERIFY2(view.export_png(whole, true, &error), qPrintable(error));
    QVERIFY2(view.export_svg(svg, &error), qPrintable(error));
    QCOMPARE(QImage(png).size(), view.size());
    const QImage w(whole);
    QVERIFY(w.height() > w.width());  // a deep network is tall
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("Conv"));  // full detail: op names are in the SVG
    QVERIFY(!view.export_png(dir.filePath(QStringLiteral("no/such/dir/x.png")), false, &error));
    // Heat colours run from cold to hot.
    QVERIFY(GraphPainter::heat_color(0).blue() > GraphPainter::heat_color(0).red());
    QVERIFY(GraphPainter::heat_color(1).red() > GraphPainter::heat_color(1).blue());
  }

  void panelLaysOutInTheBackgroundAndCollapses() {
    auto model = std::make_shared<const Model>(bench::synthetic_transformer(300));
    GraphPanel panel;
    panel.resize(900, 700);
    QSignalSpy done(&panel, &GraphPanel::layoutFinished);
    panel.show_model(model, false);
    QVERIFY(panel.layout_running());
    QVERIFY(done.wait(30000));
    const size_t full = panel.view()->view_graph()->items.size();
    panel.collapse_to_depth(2);  // /encoder/layer.N
    QVERIFY(done.wait(30000));
    const size_t collapsed = panel.view()->view_graph()->items.size();
    QVERIFY(collapsed < full / 4);
    panel.set_scope_collapsed(QStringLiteral("/encoder/layer.0"), false);
    QVERIFY(done.wait(30000));
    QVERIFY(panel.view()->view_graph()->items.size() > collapsed);
    // Search finds nodes inside collapsed groups: the group is the match.
    const int softmax_groups = panel.view()->search(QStringLiteral("^Softmax$"), true);
    QVERIFY(softmax_groups > 1);
    const ViewItem& hit = panel.view()->view_graph()->items[static_cast<size_t>(panel.view()->selected_item())];
    QVERIFY(hit.kind == ViewItem::Kind::Group || hit.title == "Softmax");
  }

  void tenThousandNodeFrames() {
    const Model m = bench::synthetic_transformer(10000);
    GraphView view;
    view.resize(1600, 1000);
    view.set_view_graph(std::make_shared<const ViewGraph>(lay_out_view(*m.graph, {})));
    QImage surface(view.size(), QImage::Format_ARGB32_Premultiplied);
    double worst = 0;
    for (double scale : {0.0, 0.02, 0.1, 0.3, 1.0}) {
      if (scale > 0) view.set_scale(scale, QPointF(800, 500));
      for (int i = 0; i < 10; ++i) {
        view.pan_by(QPointF(31, -47));
        QElapsedTimer t;
        t.start();
        QPainter p(&surface);
        view.render(&p);
        p.end();
        worst = std::max(worst, static_cast<double>(t.nsecsElapsed()) / 1e6);
      }
    }
    qInfo("10k-node graph: worst frame %.2f ms over 50 panned frames at 5 zoom levels", worst);
    // Generous bound: catches a frame that paints the whole graph, not a busy machine.
    QVERIFY(worst < 200);
  }
};

QTEST_MAIN(GraphViewTest)
#include "graph_view_test.moc"
