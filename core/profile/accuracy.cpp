#include "core/profile/accuracy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <unordered_set>

#include "core/profile/provenance.h"
#include "core/util/error.h"

namespace kiln::profile {
namespace {

std::vector<double> values_of(const RtTensor& t, const std::string& name) {
  if (t.dtype() == DataType::String) fail("output '", name, "' holds strings: no numeric error to measure");
  return t.to_tensor(name)->to_double();
}

bool is_classifier(const std::vector<int64_t>& shape) { return shape.size() == 2 && shape[1] >= 2; }

std::vector<std::vector<int64_t>> top_k_of(const std::vector<double>& v, int64_t rows, int64_t cols, int k) {
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(rows));
  std::vector<int64_t> idx(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    std::iota(idx.begin(), idx.end(), 0);
    const double* row = v.data() + r * cols;
    const int64_t kk = std::min<int64_t>(k, cols);
    std::partial_sort(idx.begin(), idx.begin() + kk, idx.end(), [row](int64_t a, int64_t b) {
      // NaN sorts last so it never wins a class.
      const bool na = std::isnan(row[a]), nb = std::isnan(row[b]);
      if (na != nb) return nb;
      if (row[a] != row[b]) return row[a] > row[b];
      return a < b;
    });
    out[static_cast<size_t>(r)].assign(idx.begin(), idx.begin() + kk);
  }
  return out;
}

std::string op_label(const Node& n) { return n.is_onnx_domain() ? n.op_type : n.domain + "::" + n.op_type; }

Json num_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(); }

}  // namespace

void ErrorAccumulator::add(const RtTensor& a, const RtTensor& b) {
  if (a.shape() != b.shape())
    fail("output '", e_.name, "': shapes differ (reference ", shape_str(a.shape()), ", compared ",
         shape_str(b.shape()), ")");
  if (e_.samples == 0) e_.shape = a.shape();
  const std::vector<double> va = values_of(a, e_.name), vb = values_of(b, e_.name);
  for (size_t i = 0; i < va.size(); ++i) {
    const double x = va[i], y = vb[i];
    if (std::isnan(x) || std::isnan(y)) {
      if (std::isnan(x) != std::isnan(y)) {
        ++e_.nan_mismatches;
        e_.identical = false;
      }
      continue;
    }
    const double d = std::fabs(y - x);
    if (d != 0) e_.identical = false;
    e_.max_abs = std::max(e_.max_abs, d);
    e_.max_abs_ref = std::max(e_.max_abs_ref, std::fabs(x));
    e_.max_rel = std::max(e_.max_rel, d / std::max(std::fabs(x), 1e-6));
    sum_abs_ += d;
    dot_ += x * y;
    norm_a_ += x * x;
    norm_b_ += y * y;
    noise_ += (y - x) * (y - x);
  }
  e_.elements += static_cast<int64_t>(va.size());
  e_.samples += 1;
  if (is_classifier(a.shape())) {
    e_.classifier = true;
    e_.top_k = static_cast<int>(std::min<int64_t>(5, a.shape()[1]));
    const auto ta = top_k_of(va, a.shape()[0], a.shape()[1], 1);
    const auto tb = top_k_of(vb, a.shape()[0], a.shape()[1], e_.top_k);
    for (size_t r = 0; r < ta.size(); ++r) {
      if (tb[r].front() == ta[r].front()) ++top1_hits_;
      if (std::find(tb[r].begin(), tb[r].end(), ta[r].front()) != tb[r].end()) ++topk_hits_;
    }
    e_.rows += a.shape()[0];
  }
}

TensorError ErrorAccumulator::result() const {
  TensorError e = e_;
  e.mean_abs = e.elements > 0 ? sum_abs_ / static_cast<double>(e.elements) : 0;
  if (norm_a_ == 0 && norm_b_ == 0)
    e.cosine = 1;
  else if (norm_a_ == 0 || norm_b_ == 0)
    e.cosine = 0;
  else
    e.cosine = dot_ / (std::sqrt(norm_a_) * std::sqrt(norm_b_));
  e.rel_l2 = norm_a_ > 0 ? std::sqrt(noise_ / norm_a_) : (noise_ > 0 ? std::numeric_limits<double>::infinity() : 0);
  if (noise_ == 0)
    e.snr_db = std::numeric_limits<double>::infinity();
  else if (norm_a_ == 0)
    e.snr_db = -std::numeric_limits<double>::infinity();
  else
    e.snr_db = 10.0 * std::log10(norm_a_ / noise_);
  if (e.rows > 0) {
    e.top1_agreement = static_cast<double>(top1_hits_) / static_cast<double>(e.rows);
    e.topk_agreement = static_cast<double>(topk_hits_) / static_cast<double>(e.rows);
  }
  return e;
}

TensorError compare_tensors(const std::string& name, const RtTensor& a, const RtTensor& b) {
  ErrorAccumulator acc(name);
  acc.add(a, b);
  return acc.result();
}

std::vector<std::vector<int64_t>> top_k_rows(const RtTensor& scores, int k) {
  if (!is_classifier(scores.shape())) fail("top-k needs a [N, C] tensor, got ", shape_str(scores.shape()));
  return top_k_of(values_of(scores, "scores"), scores.shape()[0], scores.shape()[1], k);
}

LabelAccuracy label_accuracy(const std::string& output, const std::vector<RtTensor>& scores,
                             const std::vector<int64_t>& labels) {
  LabelAccuracy r;
  r.output = output;
  int64_t top1 = 0, top5 = 0;
  size_t next = 0;
  for (const RtTensor& s : scores) {
    for (const auto& row : top_k_rows(s, 5)) {
      if (next >= labels.size())
        fail("labels: ", std::to_string(labels.size()), " labels for more rows of '", output, "' than that");
      const int64_t label = labels[next++];
      if (row.front() == label) ++top1;
      if (std::find(row.begin(), row.end(), label) != row.end()) ++top5;
    }
  }
  if (next != labels.size())
    fail("labels: ", std::to_string(labels.size()), " labels but '", output, "' gave ", std::to_string(next),
         " rows");
  r.samples = static_cast<int64_t>(next);
  if (next > 0) {
    r.top1 = static_cast<double>(top1) / static_cast<double>(next);
    r.top5 = static_cast<double>(top5) / static_cast<double>(next);
  }
  return r;
}

Model with_intermediate_outputs(const Model& model) {
  Model m = model.clone();
  Graph& g = *m.graph;
  std::unordered_set<const Value*> outputs(g.outputs().begin(), g.outputs().end());
  for (Node* n : g.nodes())
    for (Value* v : n->outputs())
      if (v && !outputs.count(v)) {
        g.add_output(v);
        outputs.insert(v);
      }
  return m;
}

NodeErrorReport localize_error(const Model& a, const Model& b, const Sample& inputs, const SessionOptions& options,
                               double atol, double rtol) {
  NodeErrorReport r;
  r.atol = atol;
  r.rtol = rtol;
  Session sa(with_intermediate_outputs(a), options);
  Session sb(with_intermediate_outputs(b), options);
  const std::vector<RtTensor> oa = sa.run(inputs), ob = sb.run(inputs);
  std::map<std::string, const RtTensor*> by_name_a;
  for (size_t i = 0; i < oa.size(); ++i) by_name_a[sa.output_names()[i]] = &oa[i];
  std::map<std::string, size_t> index_b;
  for (size_t i = 0; i < ob.size(); ++i) index_b[sb.output_names()[i]] = i;

  // For matching by provenance: A's nodes by id, with their execution position.
  std::map<NodeId, std::pair<size_t, const Node*>> a_nodes;
  {
    size_t pos = 0;
    for (const Node* n : sa.model().graph->nodes()) a_nodes[n->id()] = {pos++, n};
  }
  // A fused node computes what the last of the original nodes it replaced computed. Used only
  // when B's provenance is in A's id space (made in this process, or written by Kiln into an
  // optimized file of A), and only for nodes made from two or more originals.
  const bool provenance_usable = provenance_fits(b, a);
  auto provenance_match = [&](const Node& n, size_t out) -> std::string {
    if (!provenance_usable || n.provenance.size() < 2) return "";
    const Node* last = nullptr;
    size_t last_pos = 0;
    for (NodeId id : n.provenance) {
      auto it = a_nodes.find(id);
      if (it == a_nodes.end()) return "";  // not A's id space
      if (!last || it->second.first > last_pos) {
        last = it->second.second;
        last_pos = it->second.first;
      }
    }
    const Value* v = last ? last->output(out) : nullptr;
    return v ? v->name() : "";
  };

  // For matching by consumer: A's nodes by name (names used once only).
  std::map<std::string, const Node*> a_by_name;
  std::set<std::string> a_dup;
  for (const Node* n : sa.model().graph->nodes()) {
    if (n->name.empty()) continue;
    if (!a_by_name.emplace(n->name, n).second) a_dup.insert(n->name);
  }
  for (const std::string& d : a_dup) a_by_name.erase(d);
  // A value renamed by a rewrite (a fused node's output, in a model loaded from a file, where
  // provenance is not kept) is still what an unchanged consumer reads: the input in the same slot
  // of A's node of that name, when that node has the same op type and input count. Graph outputs
  // match by position.
  const size_t b_outputs = b.graph->outputs().size();
  auto consumer_match = [&](const Value& v) -> std::string {
    for (size_t i = 0; i < b_outputs && i < a.graph->outputs().size(); ++i)
      if (sb.output_names()[i] == v.name()) return sa.output_names()[i];
    for (const Use& u : v.uses()) {
      auto it = a_by_name.find(u.node->name);
      if (u.node->name.empty() || it == a_by_name.end()) continue;
      const Node& an = *it->second;
      if (an.op_type != u.node->op_type || an.domain != u.node->domain || an.num_inputs() != u.node->num_inputs())
        continue;
      if (const Value* av = an.input(u.index)) return av->name();
    }
    return "";
  };

  for (const Node* n : sb.model().graph->nodes()) {
    for (size_t out = 0; out < n->num_outputs(); ++out) {
      const Value* v = n->output(out);
      if (!v) continue;
      auto ia = by_name_a.find(v->name());
      auto ib = index_b.find(v->name());
      if (ib == index_b.end()) continue;
      std::string matched_by = "name";
      if (ia == by_name_a.end()) {
        const std::string other = provenance_match(*n, out);
        ia = other.empty() ? by_name_a.end() : by_name_a.find(other);
        matched_by = "provenance";
      }
      if (ia == by_name_a.end()) {
        const std::string other = consumer_match(*v);
        ia = other.empty() ? by_name_a.end() : by_name_a.find(other);
        matched_by = "consumer";
      }
      if (ia == by_name_a.end()) {
        ++r.only_in_b;
        continue;
      }
      const RtTensor& ta = *ia->second;
      const RtTensor& tb = ob[ib->second];
      if (ta.dtype() == DataType::String || ta.shape() != tb.shape()) continue;
      NodeError e;
      e.value = v->name();
      e.reference_value = ia->first;
      e.matched_by = matched_by;
      e.node_id = n->id();
      e.node_name = n->name;
      e.op = op_label(*n);
      e.provenance = n->provenance;
      e.error = compare_tensors(v->name(), ta, tb);
      e.exceeds = e.error.nan_mismatches > 0 || e.error.max_abs > atol + rtol * e.error.max_abs_ref;
      if (e.exceeds && !r.first_exceeding) r.first_exceeding = r.nodes.size();
      r.nodes.push_back(std::move(e));
    }
  }
  return r;
}

AccuracyResult compare_models(const Model& a, const Model& b, const std::vector<Sample>& samples,
                              const SessionOptions& options, const std::vector<int64_t>& labels,
                              bool per_node_error) {
  if (samples.empty()) fail("accuracy: no input samples to compare on");
  AccuracyResult r;
  r.samples = static_cast<int64_t>(samples.size());
  SessionOptions so = options;
  so.input_shapes = sample_shapes(samples.front());
  Session sa(a, so), sb(b, so);
  if (sa.output_names().size() != sb.output_names().size())
    fail("accuracy: the models have different output counts (", std::to_string(sa.output_names().size()), " and ",
         std::to_string(sb.output_names().size()), ")");
  std::vector<ErrorAccumulator> acc;
  for (const std::string& name : sb.output_names()) acc.emplace_back(name);
  std::vector<std::vector<RtTensor>> scores_a(acc.size()), scores_b(acc.size());
  for (const Sample& s : samples) {
    const std::vector<RtTensor> oa = sa.run(s), ob = sb.run(s);
    for (size_t i = 0; i < acc.size(); ++i) {
      acc[i].add(oa[i], ob[i]);
      if (!labels.empty() && is_classifier(oa[i].shape())) {
        scores_a[i].push_back(oa[i]);
        scores_b[i].push_back(ob[i]);
      }
    }
  }
  for (const ErrorAccumulator& e : acc) r.outputs.push_back(e.result());
  if (!labels.empty()) {
    auto first = std::find_if(scores_b.begin(), scores_b.end(), [](const auto& v) { return !v.empty(); });
    if (first == scores_b.end()) fail("labels: no output is classifier-shaped ([N, C])");
    const size_t i = static_cast<size_t>(first - scores_b.begin());
    r.labels_b.push_back(label_accuracy(sb.output_names()[i], scores_b[i], labels));
    r.labels_a.push_back(label_accuracy(sa.output_names()[i], scores_a[i], labels));
  }
  if (per_node_error) {
    try {
      r.per_node = localize_error(a, b, samples.front(), so);
    } catch (const Error& e) {
      r.per_node_note = std::string("per-node error not measured: ") + e.what();
    }
  }
  return r;
}

Json TensorError::to_json() const {
  Json j = Json::object();
  j["name"] = name;
  Json s = Json::array();
  for (int64_t d : shape) s.push_back(d);
  j["shape"] = std::move(s);
  j["samples"] = samples;
  j["elements"] = elements;
  j["identical"] = identical;
  j["max_abs_error"] = num_or_null(max_abs);
  j["mean_abs_error"] = num_or_null(mean_abs);
  j["max_abs_reference"] = num_or_null(max_abs_ref);
  j["max_rel_error"] = num_or_null(max_rel);
  j["rel_l2_error"] = num_or_null(rel_l2);
  j["cosine"] = num_or_null(cosine);
  j["snr_db"] = num_or_null(snr_db);
  j["nan_mismatches"] = nan_mismatches;
  if (classifier) {
    j["rows"] = rows;
    j["top1_agreement"] = top1_agreement;
    j["top_k"] = top_k;
    j["topk_agreement"] = topk_agreement;
  }
  return j;
}

Json LabelAccuracy::to_json() const {
  Json j = Json::object();
  j["output"] = output;
  j["samples"] = samples;
  j["top1"] = top1;
  j["top5"] = top5;
  return j;
}

Json NodeErrorReport::to_json() const {
  Json j = Json::object();
  j["atol"] = atol;
  j["rtol"] = rtol;
  j["compared"] = static_cast<int64_t>(nodes.size());
  j["only_in_compared_model"] = only_in_b;
  if (first_exceeding) {
    const NodeError& e = nodes[*first_exceeding];
    Json f = Json::object();
    f["value"] = e.value;
    f["node"] = e.node_name;
    f["op"] = e.op;
    f["max_abs_error"] = num_or_null(e.error.max_abs);
    j["first_exceeding"] = std::move(f);
  } else {
    j["first_exceeding"] = Json();
  }
  Json a = Json::array();
  for (const NodeError& e : nodes) {
    Json n = Json::object();
    n["value"] = e.value;
    n["reference_value"] = e.reference_value;
    n["matched_by"] = e.matched_by;
    n["node_id"] = static_cast<int64_t>(e.node_id);
    n["node"] = e.node_name;
    n["op"] = e.op;
    Json prov = Json::array();
    for (NodeId p : e.provenance) prov.push_back(static_cast<int64_t>(p));
    n["provenance"] = std::move(prov);
    n["max_abs_error"] = num_or_null(e.error.max_abs);
    n["cosine"] = num_or_null(e.error.cosine);
    n["snr_db"] = num_or_null(e.error.snr_db);
    n["exceeds"] = e.exceeds;
    a.push_back(std::move(n));
  }
  j["nodes"] = std::move(a);
  return j;
}

Json AccuracyResult::to_json() const {
  Json j = Json::object();
  j["samples"] = samples;
  j["inputs"] = inputs_from;
  Json o = Json::array();
  for (const TensorError& e : outputs) o.push_back(e.to_json());
  j["outputs"] = std::move(o);
  if (!labels_b.empty()) {
    Json l = Json::object();
    l["model"] = labels_b.front().to_json();
    l["reference"] = labels_a.front().to_json();
    j["labels"] = std::move(l);
  }
  if (per_node)
    j["per_node"] = per_node->to_json();
  else if (!per_node_note.empty())
    j["per_node_note"] = per_node_note;
  return j;
}

}  // namespace kiln::profile
