// The one table of ops Kiln knows, assembled from the rule families. Shape inference, the
// op-support table and the cost model all read it.
#include <string>
#include <unordered_map>

#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

struct Index {
  RuleTable table;
  std::unordered_map<std::string_view, const OpRule*> onnx;
  std::unordered_map<std::string, const OpRule*> other;  // key: domain + '\n' + op

  Index() {
    add_elementwise_rules(table);
    add_nn_rules(table);
    add_tensor_rules(table);
    add_indexing_rules(table);
    add_reduce_rules(table);
    add_linalg_rules(table);
    add_control_flow_rules(table);
    add_rnn_rules(table);
    add_quant_rules(table);
    add_sequence_rules(table);
    add_misc_rules(table);
    add_kiln_pattern_rules(table);
    add_kiln_epilogue_rules(table);
    add_kiln_layout_rules(table);
    for (const OpRule& r : table.rules()) {
      if (r.domain.empty()) {
        onnx.emplace(r.op_type, &r);
      } else {
        other.emplace(std::string(r.domain) + '\n' + std::string(r.op_type), &r);
      }
    }
  }
};

const Index& index() {
  static const Index idx;
  return idx;
}

}  // namespace

const RuleTable& rule_table() { return index().table; }

const OpRule* find_rule(std::string_view domain, std::string_view op_type) {
  const Index& idx = index();
  if (domain.empty() || domain == "ai.onnx") {
    auto it = idx.onnx.find(op_type);
    return it == idx.onnx.end() ? nullptr : it->second;
  }
  if (idx.other.empty()) return nullptr;
  std::string key(domain);
  key += '\n';
  key += op_type;
  auto it = idx.other.find(key);
  return it == idx.other.end() ? nullptr : it->second;
}

}  // namespace kiln::analysis
