#pragma once
// For pass tests on the bundled samples: apply passes one by one with every step checked
// numerically, and count ops in the result.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/onnx/onnx_import.h"
#include "passes/framework/pass_manager.h"

namespace kiln::passes::testing {

inline int64_t count_op(const Model& m, std::string_view op, std::string_view domain = "") {
  int64_t n = 0;
  m.graph->for_each_node([&](const Node* node) {
    if (node->op_type == op && (domain.empty() ? node->is_onnx_domain() : node->domain == domain)) ++n;
  });
  return n;
}

struct SampleRun {
  Model model;
  std::map<std::string, StepReport> steps;  // by pass id
};

// Loads build/samples/<sample>.onnx and applies `passes` in order (options as JSON objects), each
// step checked numerically on inputs of `shapes`; prints each step's node counts.
inline SampleRun optimize_sample(const std::string& sample, const std::vector<std::pair<std::string, Json>>& passes,
                                 std::map<std::string, std::vector<int64_t>> shapes) {
  SampleRun r{load_model(std::string(KILN_SAMPLES_DIR) + "/" + sample + ".onnx"), {}};
  ManagerOptions mo;
  mo.verify_numerics = true;
  mo.input_shapes = std::move(shapes);
  PassManager pm(mo);
  for (const auto& [id, options] : passes) {
    const PassDef* def = PassRegistry::global().find(id);
    EXPECT_NE(def, nullptr) << id;
    if (!def) continue;
    StepReport step = pm.apply(r.model, *def, def->info.parse_options(options));
    if (step.changed) {
      EXPECT_TRUE(step.numeric.ran && step.numeric.passed) << sample << ", " << id << ": " << step.numeric.detail;
    }
    std::cout << sample << ": " << id << " " << step.nodes_before << " -> " << step.nodes_after << " nodes\n";
    r.steps[id] = std::move(step);
  }
  return r;
}

}  // namespace kiln::passes::testing
