// Which ops Kiln can run: an inference rule (core/analysis/op_registry.cpp) and a kernel
// (core/runtime/kernel.h) both covering the model's opset.
#include "core/analysis/op_support.h"

#include <map>
#include <utility>

#include "core/analysis/infer_context.h"
#include "core/runtime/kernel.h"

namespace kiln {

namespace {

bool is_onnx_domain(std::string_view d) { return d.empty() || d == "ai.onnx"; }

void count_ops(const Graph& g, std::map<std::pair<std::string, std::string>, int64_t>& counts) {
  g.for_each_node([&](const Node* n) {
    ++counts[{is_onnx_domain(n->domain) ? std::string() : n->domain, n->op_type}];
    for (const Graph* sg : n->subgraphs()) count_ops(*sg, counts);
  });
}

}  // namespace

bool op_is_supported(std::string_view domain, std::string_view op_type, int64_t opset) {
  const analysis::OpRule* r = analysis::find_rule(domain, op_type);
  if (!r) return false;
  // A model that does not say which opset it uses gets the benefit of the doubt.
  if (opset >= 0 && (opset < r->since || opset > r->until)) return false;
  return KernelRegistry::global().find(domain, op_type, opset, Backend::Ref) != nullptr;
}

std::vector<UnsupportedOp> unsupported_ops(const Model& model) {
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  if (model.graph) count_ops(*model.graph, counts);
  std::vector<UnsupportedOp> out;
  for (const auto& [key, count] : counts) {
    const auto& [domain, op] = key;
    int64_t opset = model.opset(domain);
    if (op_is_supported(domain, op, opset)) continue;
    UnsupportedOp u{domain, op, count, {}};
    if (domain == "ai.onnx.ml") {
      u.reason = "ONNX-ML op not implemented";
    } else if (!domain.empty() && domain != "ai.kiln") {
      u.reason = "custom domain '" + domain + "'";
    } else if (const analysis::OpRule* r = analysis::find_rule(domain, op);
               r && (opset < 0 || (opset >= r->since && opset <= r->until))) {
      u.reason = "no reference kernel yet";
    } else if (analysis::find_rule(domain, op)) {
      u.reason = "not supported at opset " + std::to_string(opset);
    } else {
      u.reason = "no Kiln implementation";
    }
    out.push_back(std::move(u));
  }
  return out;  // std::map order: by domain, then op
}

}  // namespace kiln
