// Graph view frame times: a 10,000-node exporter-like model is laid out, then the view is panned
// and zoomed the way a person does it (fitted, far out, mid, close, panning at each) and every
// frame is painted into an offscreen surface, timed. Goal: every frame under 33 ms. A benchmark,
// not a test: it always exits 0. Run with QT_QPA_PLATFORM=offscreen where there is no display.
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "tests/bench/synthetic_models.h"
#include "views/graph/graph_view.h"

namespace {

struct Frames {
  double mean = 0, max = 0;
};

Frames time_frames(kiln::GraphView& view, QImage& surface, int count, double pan_x, double pan_y) {
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    view.pan_by(QPointF(pan_x, pan_y));
    QElapsedTimer t;
    t.start();
    QPainter p(&surface);
    view.render(&p);
    p.end();
    ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  }
  Frames f;
  for (double m : ms) f.mean += m / static_cast<double>(ms.size());
  f.max = *std::max_element(ms.begin(), ms.end());
  return f;
}

void run(const char* kind, size_t nodes) {
  const kiln::Model model = std::string(kind) == "transformer" ? kiln::bench::synthetic_transformer(nodes)
                                                               : kiln::bench::synthetic_resnet(nodes);
  QElapsedTimer t;
  t.start();
  auto vg = std::make_shared<const kiln::ViewGraph>(kiln::lay_out_view(*model.graph, {}));
  const double layout_ms = static_cast<double>(t.elapsed());
  kiln::GraphView view;
  view.resize(1600, 1000);
  t.restart();
  view.set_view_graph(vg);
  const double install_ms = static_cast<double>(t.elapsed());
  QImage surface(view.size(), QImage::Format_ARGB32_Premultiplied);
  std::printf("%s, %zu nodes: layout %.0f ms, view set-up (index + overview) %.0f ms, scene %.0f x %.0f\n", kind,
              model.graph->node_count(), layout_ms, install_ms, vg->layout.width, vg->layout.height);
  std::printf("  %-28s %8s %10s %10s\n", "zoom", "scale", "mean ms", "max ms");
  double worst = 0;
  auto row = [&](const char* name, double pan_x, double pan_y) {
    const Frames f = time_frames(view, surface, 30, pan_x, pan_y);
    worst = std::max(worst, f.max);
    std::printf("  %-28s %8.4f %10.2f %10.2f\n", name, view.scale(), f.mean, f.max);
  };
  view.fit();
  row("fit (whole graph)", 0, -3);
  for (double s : {0.01, 0.05, 0.15, 0.3, 0.6, 1.0, 2.0}) {
    view.set_scale(s, QPointF(800, 500));
    view.center_on(QPointF(vg->layout.width / 2, vg->layout.height / 2));
    char name[64];
    std::snprintf(name, sizeof name, "pan at scale %.2f", s);
    row(name, 37, -53);
  }
  std::printf("  worst frame %.2f ms: %s (goal < 33 ms)\n", worst, worst < 33 ? "ok" : "SLOW");
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  run("transformer", 10000);
  run("resnet", 10000);
  return 0;
}
