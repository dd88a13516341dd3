// kiln: the workbench GUI. Thin: creates the window and opens the model named on the command line.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

#include "views/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Kiln");
  QApplication::setOrganizationName("Kiln");
  QCommandLineParser parser;
  parser.setApplicationDescription("Kiln: an interactive workbench for optimizing ONNX models");
  parser.addHelpOption();
  parser.addPositionalArgument("model", "ONNX model to open");
  QCommandLineOption screenshot("screenshot", "Save a picture of the window once the model is open, then quit.", "png");
  QCommandLineOption tab("tab", "Tab to show first (0 overview, 1 nodes, 2 text).", "index", "0");
  parser.addOption(screenshot);
  parser.addOption(tab);
  parser.process(app);
  kiln::MainWindow window;
  window.show_tab(parser.value(tab).toInt());
  window.show();
  if (parser.isSet(screenshot)) {
    const QString out = parser.value(screenshot);
    auto save = [&window, out](int code) {
      const bool ok = window.grab().save(out);
      if (!ok) std::fprintf(stderr, "kiln: could not write %s\n", qPrintable(out));
      QApplication::exit(ok ? code : 1);
    };
    QObject::connect(&window, &kiln::MainWindow::loaded, &window, [save] { QTimer::singleShot(200, [save] { save(0); }); });
    QObject::connect(&window, &kiln::MainWindow::failed, &window, [save] { save(1); });
  }
  if (!parser.positionalArguments().isEmpty()) window.open_model(parser.positionalArguments().first());
  return app.exec();
}
