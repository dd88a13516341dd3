#pragma once
// Memory a model costs: weights by element type, the activation arena from the Session's memory
// plan, the measured peak resident set of the process while it runs, and the model's size on disk.
#include <cstdint>
#include <map>
#include <string>

#include "core/ir/model.h"
#include "core/runtime/session.h"
#include "core/util/json.h"

namespace kiln::profile {

struct WeightBytes {
  int64_t count = 0;  // tensors
  int64_t elements = 0;
  int64_t bytes = 0;
};

struct MemoryReport {
  std::map<std::string, WeightBytes> weights_by_dtype;  // key: short dtype name ("f32")
  int64_t weights_bytes = 0;
  int64_t peak_activation_bytes = -1;  // the plan's arena; -1 when some shape is dynamic
  int64_t live_peak_bytes = -1;        // lower bound: the most bytes alive at one step
  int64_t peak_rss_bytes = -1;         // measured
  std::string peak_rss_how;
  int64_t file_bytes = -1;             // .onnx plus its external data files
  std::string file_bytes_how;
  Json to_json() const;
};

// Initializers of every graph (subgraph bodies included).
std::map<std::string, WeightBytes> weights_by_dtype(const Model& model);
// The .onnx file and the external-data files its tensors name; -1 when the model has no file
// (memory_report() then counts the serialized size instead, and says so).
int64_t model_file_bytes(const Model& model);
// Resets the kernel's peak-RSS mark (writes "5" to /proc/self/clear_refs) so the next reading
// covers only what runs after it. False when the kernel does not allow it.
bool reset_peak_rss();
// VmHWM from /proc/self/status, else getrusage's ru_maxrss; -1 when neither is readable.
int64_t peak_rss_bytes();

// Fills everything but peak_rss (measured around the runs by the caller).
MemoryReport memory_report(const Model& model, const Session& session);

}  // namespace kiln::profile
