// Import benchmark: a ~100 MB model (50 Conv layers of 2 MiB weights each) is imported in a fresh
// process, so its resident memory starts clean; prints time, peak RSS and the peak-to-file-size
// ratio against the goals (< 0.5 s, < 1.3x). A benchmark, not a test: it always exits 0.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/onnx/onnx_export.h"
#include "core/onnx/onnx_import.h"
#include "core/util/error.h"

namespace {

constexpr int kLayers = 50;
constexpr int64_t kChannels = 128;
constexpr int64_t kKernelH = 4, kKernelW = 8;  // 128*128*4*8 floats = 2 MiB per layer
constexpr double kMaxSeconds = 0.5;
constexpr double kMaxRatio = 1.3;
constexpr int kRuns = 3;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A field of /proc/self/status in MiB ("VmRSS", "VmHWM").
double status_mib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0 && line[n] == ':') return std::atof(line.c_str() + n + 1) / 1024.0;
  return 0;
}

void write_model(const std::string& path) {
  kiln::Model m;
  m.ir_version = 8;
  m.set_opset("", 17);
  m.producer_name = "bench_import";
  kiln::Graph& g = *m.graph;
  g.name = "conv_stack";
  using kiln::DataType;
  kiln::Value* x = g.add_input("x", kiln::ValueType::tensor(DataType::Float32, kiln::Shape::of({1, kChannels, 64, 64})));
  uint32_t state = 1;
  for (int i = 0; i < kLayers; ++i) {
    std::vector<float> w(static_cast<size_t>(kChannels * kChannels * kKernelH * kKernelW));
    for (float& v : w) {
      state = state * 1664525u + 1013904223u;
      v = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
    }
    std::string id = std::to_string(i);
    kiln::Value* wv = g.add_initializer(kiln::Tensor::from_values("w" + id, DataType::Float32,
                                                                 {kChannels, kChannels, kKernelH, kKernelW}, w));
    kiln::Value* bv = g.add_initializer(
        kiln::Tensor::from_values("b" + id, DataType::Float32, {kChannels}, std::vector<float>(kChannels, 0.01f)));
    kiln::Node* conv = g.add_node("Conv", {x, wv, bv}, {"conv" + id});
    conv->name = "conv" + id;
    conv->set_attr(kiln::Attribute::make_ints("kernel_shape", {kKernelH, kKernelW}));
    conv->set_attr(kiln::Attribute::make_ints("pads", {1, 3, 2, 4}));
    kiln::Node* relu = g.add_node("Relu", {conv->output(0)}, {"relu" + id});
    x = relu->output(0);
  }
  g.add_output(x);
  double t0 = now_seconds();
  kiln::save_model(m, path);
  std::printf("export:   %.3f s (writing the model)\n", now_seconds() - t0);
}

// Runs in the fresh child process.
int import_once(const std::string& path) {
  double file_mib = static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0);
  double baseline = status_mib("VmRSS");
  double t0 = now_seconds();
  kiln::Model m = kiln::load_model(path);
  double seconds = now_seconds() - t0;
  double peak = status_mib("VmHWM") - baseline;
  double resident = status_mib("VmRSS") - baseline;
  double ratio = peak / file_mib;
  bool pass = seconds < kMaxSeconds && ratio < kMaxRatio;
  std::printf("import:   file %.1f MB, %.3f s, peak RSS +%.1f MB (resident after +%.1f MB), peak/file %.2fx, %zu nodes  %s\n",
              file_mib, seconds, peak, resident, ratio, m.graph->node_count(), pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::strcmp(argv[1], "--import") == 0) return import_once(argv[2]);
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      return 0;
    }
    std::string path = tmpl + "/conv_stack.onnx";
    write_model(path);
    std::printf("goals:    import < %.1f s, peak RSS < %.1fx the file size\n", kMaxSeconds, kMaxRatio);
    int passed = 0;
    for (int run = 0; run < kRuns; ++run) {
      std::fflush(stdout);
      pid_t pid = ::fork();
      if (pid == 0) {
        // A new image, not just a fork: the child's RSS must not include the parent's pages.
        ::execl("/proc/self/exe", argv[0], "--import", path.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
      }
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++passed;
    }
    std::printf("result:   %d of %d runs met the goals: %s\n", passed, kRuns, passed == kRuns ? "PASS" : "FAIL");
    std::filesystem::remove_all(tmpl);
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "bench_import: %s\n", e.what());
  }
  return 0;
}
