// kiln: the workbench GUI. Thin: parses arguments, creates the window, opens the model named on
// the command line (or offers to restore a crashed session), and for scripted runs (the smoke
// test, screenshots) applies a recipe and saves pictures once everything has settled.
#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>

#include "passes/framework/recipe.h"
#include "views/document.h"
#include "views/graph/graph_panel.h"
#include "views/main_window.h"
#include "views/pipeline/pipeline_dock.h"
#include "views/profile/profile_dock.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Kiln");
  QApplication::setOrganizationName("Kiln");
  QCommandLineParser parser;
  parser.setApplicationDescription("Kiln: an interactive workbench for optimizing ONNX models");
  parser.addHelpOption();
  parser.addPositionalArgument("model", "ONNX model to open");
  QCommandLineOption screenshot("screenshot", "Save a picture of the window once everything has settled, then quit.", "png");
  QCommandLineOption graph_png("graph-png", "Also save the graph view alone (visible part) as a PNG.", "png");
  QCommandLineOption tab("tab", "Tab to show first (0 graph, 1 overview, 2 nodes, 3 text).", "index", "0");
  QCommandLineOption recipe("recipe", "Recipe to load once the model is open: 'portable', 'kiln' or a JSON file.", "recipe");
  QCommandLineOption apply("apply", "Apply this many steps of the recipe ('all' for every step).", "count");
  QCommandLineOption preview("preview-step", "Preview this applied step's diff (1-based).", "step");
  QCommandLineOption before("before", "With --preview-step: show the graph before the step.");
  QCommandLineOption select("select", "Select the first node whose op type or name matches.", "text");
  QCommandLineOption zoom("zoom", "Zoom the graph to this scale after the layout.", "scale");
  QCommandLineOption size("size", "Window size, WIDTHxHEIGHT.", "size");
  QCommandLineOption profile("profile", "With --screenshot: profile the current model (and each applied step) first.");
  QCommandLineOption profile_tab("profile-tab",
                                 "Profile chart to show (0 op types, 1 top nodes, 2 distribution, 3 batch, 4 memory, "
                                 "5 accuracy, 6 steps).", "index", "0");
  QCommandLineOption heat("heat", "Heat map on the graph after profiling: latency or error.", "mode");
  for (const auto* o : {&screenshot, &graph_png, &tab, &recipe, &apply, &preview, &before, &select, &zoom, &size, &profile,
                        &profile_tab, &heat})
    parser.addOption(*o);
  parser.process(app);

  kiln::MainWindow window;
  if (parser.isSet(size)) {
    const QStringList wh = parser.value(size).split('x');
    if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
  }
  window.show_tab(parser.value(tab).toInt());
  window.show();
  kiln::Document* doc = window.document();

  if (parser.isSet(recipe)) {
    QObject::connect(doc, &kiln::Document::opened, &window, [&] {
      try {
        const std::string r = parser.value(recipe).toStdString();
        doc->load_recipe(QFileInfo::exists(parser.value(recipe)) ? kiln::passes::Recipe::load(r)
                                                                  : kiln::passes::Recipe::builtin(r));
        if (parser.isSet(apply))
          doc->apply_until(parser.value(apply) == "all" ? static_cast<int>(doc->steps().size()) : parser.value(apply).toInt());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "kiln: %s\n", e.what());
        QApplication::exit(1);
      }
    });
  }
  if (parser.isSet(screenshot)) {
    // Scripted run: once loading, passes and layout are all done, set up the requested view, let
    // it settle, save the pictures and quit.
    auto* poll = new QTimer(&window);
    auto stage = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, &window, [&, poll, stage] {
      const bool settled = doc->is_open() && !doc->busy() && !window.graph_panel()->layout_running();
      if (!settled) return;
      if (*stage == 0) {
        *stage = 1;
        if (parser.isSet(preview)) window.pipeline()->select_step(parser.value(preview).toInt() - 1);
        if (parser.isSet(before)) window.pipeline()->set_show_before(true);
        return;
      }
      if (*stage == 1) {
        *stage = 2;
        kiln::GraphView* view = window.graph_panel()->view();
        if (parser.isSet(zoom)) view->set_scale(parser.value(zoom).toDouble(), QPointF(view->width() / 2.0, 0));
        if (parser.isSet(select)) {
          view->search(parser.value(select), false);
          view->search(QString(), false);  // keeps the selection, drops the match marks
          // The selection near the top, so the picture shows what follows it.
          view->pan_by(QPointF(0, -view->height() / 3.0));
        }
        return;
      }
      if (*stage == 2 && parser.isSet(profile)) {
        *stage = 3;
        kiln::ProfileDock* dock = window.profile();
        window.show_profile();
        // The charts get half the window, as a user reading them would drag it.
        if (auto* d = window.findChild<QDockWidget*>(QStringLiteral("profile")))
          window.resizeDocks({d}, {window.width() / 2}, Qt::Horizontal);
        dock->show_tab(parser.value(profile_tab).toInt());
        if (parser.value(heat) == "latency") dock->set_heat_mode(kiln::HeatMode::Latency);
        if (parser.value(heat) == "error") dock->set_heat_mode(kiln::HeatMode::Error);
        QObject::connect(dock->job(), &kiln::ProfileJob::failed, &window, [](const QString& message) {
          std::fprintf(stderr, "kiln: the profile failed: %s\n", qPrintable(message));
          QApplication::exit(1);
        });
        dock->run();
        return;
      }
      if (*stage == 3) {
        if (window.profile()->running()) return;
        *stage = 4;  // one more tick for the charts to paint
        return;
      }
      poll->stop();
      bool ok = window.grab().save(parser.value(screenshot));
      if (parser.isSet(graph_png)) ok = window.graph_panel()->view()->grab().save(parser.value(graph_png)) && ok;
      if (!ok) std::fprintf(stderr, "kiln: could not write the screenshots\n");
      QApplication::exit(ok ? 0 : 1);
    });
    QObject::connect(&window, &kiln::MainWindow::loaded, poll, [poll] { poll->start(400); });
    QObject::connect(&window, &kiln::MainWindow::failed, &window, [] { QApplication::exit(1); });
  }
  if (!parser.positionalArguments().isEmpty())
    window.open_model(parser.positionalArguments().first());
  else
    window.offer_session_restore();
  return app.exec();
}
