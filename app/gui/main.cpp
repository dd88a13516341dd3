// kiln: the workbench GUI. Thin: creates the window and opens the model named on the command line.
#include <QApplication>
#include <QCommandLineParser>

#include "views/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Kiln");
  QApplication::setOrganizationName("Kiln");
  QCommandLineParser parser;
  parser.setApplicationDescription("Kiln: an interactive workbench for optimizing ONNX models");
  parser.addHelpOption();
  parser.addPositionalArgument("model", "ONNX model to open");
  parser.process(app);
  kiln::MainWindow window;
  window.show();
  if (!parser.positionalArguments().isEmpty()) window.open_model(parser.positionalArguments().first());
  return app.exec();
}
