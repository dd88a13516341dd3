#pragma once
// Accuracy deltas of a model B (optimized) against a model A (reference) on the same inputs:
// per output max and mean absolute error, relative errors, cosine similarity, SNR in dB, top-1 and
// top-5 agreement for classifier-shaped outputs ([N, C]) and accuracy against labels when given.
// Per-node error for values that exist in both graphs under the same name, so the node where error
// enters is visible even after fusion (fused nodes keep the name of the value they produce).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/profile/inputs.h"
#include "core/runtime/session.h"
#include "core/util/json.h"

namespace kiln::profile {

struct TensorError {
  std::string name;
  std::vector<int64_t> shape;  // of one sample
  int64_t elements = 0;        // over every sample compared
  int64_t samples = 0;
  double max_abs = 0, mean_abs = 0;
  double max_abs_ref = 0;      // the reference's largest magnitude, for scale
  double max_rel = 0;          // max |b - a| / max(|a|, 1e-6)
  double rel_l2 = 0;           // ||b - a|| / ||a||
  double cosine = 1;
  double snr_db = 0;           // +inf when identical (written as null with "identical": true)
  bool identical = true;
  int64_t nan_mismatches = 0;  // elements NaN in one and not the other
  // Classifier-shaped outputs ([N, C], C >= 2): rows compared and how often B's top-1 class is A's
  // top-1, and A's top-1 is in B's top-k (k = min(5, C)).
  bool classifier = false;
  int64_t rows = 0;
  int top_k = 0;
  double top1_agreement = 0, topk_agreement = 0;
  Json to_json() const;
};

// Accumulates the error of B against A over several samples of one output.
class ErrorAccumulator {
 public:
  explicit ErrorAccumulator(std::string name) { e_.name = std::move(name); }
  // Throws kiln::Error naming the output when the shapes differ.
  void add(const RtTensor& a, const RtTensor& b);
  TensorError result() const;

 private:
  TensorError e_;
  double sum_abs_ = 0, dot_ = 0, norm_a_ = 0, norm_b_ = 0, noise_ = 0;
  int64_t top1_hits_ = 0, topk_hits_ = 0;
};

TensorError compare_tensors(const std::string& name, const RtTensor& a, const RtTensor& b);

// Class indices of the k largest values of each row of a [N, C] tensor, largest first (ties: lower
// index first).
std::vector<std::vector<int64_t>> top_k_rows(const RtTensor& scores, int k);

struct LabelAccuracy {
  std::string output;
  int64_t samples = 0;
  double top1 = 0, top5 = 0;
  Json to_json() const;
};

// Accuracy of classifier rows against labels: labels[i] is the class of row i (rows of every
// sample in order). Throws when the counts differ.
LabelAccuracy label_accuracy(const std::string& output, const std::vector<RtTensor>& scores,
                             const std::vector<int64_t>& labels);

struct NodeError {
  std::string value;            // the compared tensor's name in B
  std::string reference_value;  // its counterpart in A
  std::string matched_by;       // "name"; "provenance" or "consumer" for a renamed (fused) output
  NodeId node_id = 0;
  std::string node_name, op;
  std::vector<NodeId> provenance;
  TensorError error;
  bool exceeds = false;  // max_abs > atol + rtol * max_abs_ref
};

struct NodeErrorReport {
  double atol = 1e-5, rtol = 1e-4;
  std::vector<NodeError> nodes;       // B's execution order; values present in both graphs
  int64_t only_in_b = 0;              // B's node outputs A has no value of that name for
  std::optional<size_t> first_exceeding;  // index into nodes
  Json to_json() const;
};

// A copy of `model` whose every main-graph node output is also a graph output, so one run yields
// every intermediate tensor (as Polygraphy's "mark all" does).
Model with_intermediate_outputs(const Model& model);

// Runs A and B with intermediates exposed on `inputs` and compares every value of B that has a
// counterpart in A, in B's execution order.
NodeErrorReport localize_error(const Model& a, const Model& b, const Sample& inputs, const SessionOptions& options,
                               double atol = 1e-5, double rtol = 1e-4);

struct AccuracyResult {
  int64_t samples = 0;
  std::string inputs_from;  // "seeded random (seed S, N samples)", "folder DIR", "images DIR"
  std::vector<TensorError> outputs;
  std::vector<LabelAccuracy> labels_b, labels_a;
  std::optional<NodeErrorReport> per_node;
  std::string per_node_note;
  Json to_json() const;
};

// Runs both models on every sample and compares their outputs by position (names may differ).
// Labels, when given, are scored on the first classifier-shaped output of each.
AccuracyResult compare_models(const Model& a, const Model& b, const std::vector<Sample>& samples,
                              const SessionOptions& options, const std::vector<int64_t>& labels,
                              bool per_node_error);

}  // namespace kiln::profile
