#pragma once
// What `kiln-cli inspect` and the GUI's model overview show: identity, I/O, op counts, parameters
// by dtype, compute estimate and the ops Kiln cannot yet run. One computation, two renderings.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/analysis/cost_model.h"
#include "core/analysis/op_support.h"
#include "core/ir/model.h"
#include "core/util/json.h"

namespace kiln {

struct SummaryOptions {
  // Values for symbolic dims ("batch" -> 1) used for the compute estimate.
  std::map<std::string, int64_t> dims;
  // Concrete shapes for named inputs, overriding the declared ones.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Dims still unknown after the above are taken as 1 for the estimate (and reported as such).
  bool unknown_dims_as_one = true;
};

struct ModelSummary {
  struct Io {
    std::string name;
    std::string type;  // ValueType::str()
  };
  struct Params {
    int64_t count = 0;
    int64_t bytes = 0;
  };

  std::string path;
  int64_t file_bytes = -1;
  std::string producer_name, producer_version, domain, graph_name, doc_string;
  int64_t ir_version = 0, model_version = 0;
  std::vector<OpsetImport> opsets;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<Io> inputs, outputs;
  size_t nodes = 0;            // all graphs
  size_t subgraph_nodes = 0;   // of which inside If/Loop/Scan bodies
  size_t initializers = 0;
  std::map<DataType, Params> params_by_dtype;
  Params params;
  int64_t external_bytes = 0;  // of params, stored in external data files
  ModelCost cost;              // under the bindings below
  std::vector<std::string> bindings;  // "batch=1" for each dim the estimate assumed
  std::vector<UnsupportedOp> unsupported;
  std::vector<std::string> warnings;
};

ModelSummary summarize_model(const Model& model, const SummaryOptions& options = {});
Json summary_to_json(const ModelSummary& s);
std::string summary_to_text(const ModelSummary& s);

// "1.5 MB", "12.3 G": human-readable magnitudes used across reports.
std::string format_bytes(int64_t bytes);
std::string format_count(int64_t n);

}  // namespace kiln
