// bert_block: one Hugging Face BertLayer (post-LayerNorm encoder block) as torch.onnx exports it at
// opset 14: Linear layers as MatMul with a transposed "onnx::MatMul_N" weight plus Add of the
// bias, head split/merge Reshapes whose target shapes are computed by Shape -> Gather -> Unsqueeze
// -> Concat chains, LayerNorm spelled out (ReduceMean, Sub, Pow, ReduceMean, Add eps, Sqrt, Div,
// Mul, Add) because LayerNormalization only exists from opset 17, and exact GELU spelled out as
// x * 0.5 * (1 + Erf(x / sqrt(2))).
#include <cmath>

#include "core/builder/model_builder.h"
#include "core/builder/sample_models.h"
#include "core/builder/samples/exporter_names.h"

namespace kiln {

namespace {

constexpr int64_t kHidden = 256;
constexpr int64_t kHeads = 4;
constexpr int64_t kHeadDim = kHidden / kHeads;
constexpr int64_t kFfn = 1024;

class BertBlock {
 public:
  explicit BertBlock(uint64_t seed) : b_("main_graph", 14, seed) {}

  Model build() {
    Model& m = b_.model();
    m.producer_name = "kiln-samples";
    m.producer_version = "0.1";
    const Dim batch = Dim::symbolic("batch"), seq = Dim::symbolic("seq");
    Value* hidden = b_.input("hidden_states", DataType::Float32, {batch, seq, Dim::known(kHidden)});
    Value* mask = b_.input("attention_mask", DataType::Float32, {batch, Dim::known(1), Dim::known(1), seq});

    // Self-attention.
    const std::string self = "/attention/self";
    Value* q = linear(hidden, kHidden, kHidden, "attention.self.query");
    Value* k = linear(hidden, kHidden, kHidden, "attention.self.key");
    Value* v = linear(hidden, kHidden, kHidden, "attention.self.value");
    Value* qh = split_heads(self, q, {0, 2, 1, 3});
    Value* kh = split_heads(self, k, {0, 2, 3, 1});  // key, already transposed for Q K^T
    Value* vh = split_heads(self, v, {0, 2, 1, 3});
    Value* scores = b_.op("MatMul", {qh, kh}, {}, names_.node(self, "MatMul"));
    Value* scale = b_.constant_scalar(std::sqrt(static_cast<float>(kHeadDim)), names_.node(self, "Constant"));
    scores = b_.op("Div", {scores, scale}, {}, names_.node(self, "Div"));
    scores = b_.op("Add", {scores, mask}, {}, names_.node(self, "Add"));
    Value* probs = b_.op("Softmax", {scores}, {attr::i("axis", -1)}, names_.node(self, "Softmax"));
    Value* ctx = b_.op("MatMul", {probs, vh}, {}, names_.node(self, "MatMul"));
    ctx = merge_heads(self, ctx);

    Value* attn = linear(ctx, kHidden, kHidden, "attention.output.dense");
    attn = b_.op("Add", {attn, hidden}, {}, names_.node("/attention/output", "Add"));
    attn = layer_norm(attn, "attention.output.LayerNorm");

    // Feed-forward.
    Value* inter = linear(attn, kHidden, kFfn, "intermediate.dense");
    inter = gelu("/intermediate/intermediate_act_fn", inter);
    Value* out = linear(inter, kFfn, kHidden, "output.dense");
    out = b_.op("Add", {out, attn}, {}, names_.node("/output", "Add"));
    out = layer_norm(out, "output.LayerNorm", "output");
    b_.output(out, DataType::Float32, {batch, seq, Dim::known(kHidden)});
    return b_.take();
  }

 private:
  static std::string scope_of(const std::string& module) { return samples::ExporterNames::scope_of(module); }

  Value* linear(Value* x, int64_t in, int64_t out, const std::string& module) {
    const std::string scope = scope_of(module);
    Value* w = b_.random_init("onnx::MatMul_" + std::to_string(next_matmul_id_++), {in, out}, 0.02f);
    Value* bias = b_.random_init(module + ".bias", {out}, 0.02f);
    Value* y = b_.op("MatMul", {x, w}, {}, names_.node(scope, "MatMul"));
    return b_.op("Add", {bias, y}, {}, names_.node(scope, "Add"));
  }

  // x.size(0) and x.size(1) as 1-element i64 tensors, the way the exporter traces them.
  std::pair<Value*, Value*> batch_and_seq(const std::string& scope, Value* x) {
    Value* dims[2];
    for (int64_t i = 0; i < 2; ++i) {
      Value* shape = b_.op("Shape", {x}, {}, names_.node(scope, "Shape"));
      Value* index = b_.constant_i64_scalar(i, names_.node(scope, "Constant"));
      Value* dim = b_.op("Gather", {shape, index}, {attr::i("axis", 0)}, names_.node(scope, "Gather"));
      dims[i] = dim;
    }
    Value* out[2];
    for (int i = 0; i < 2; ++i) {
      Value* axes = b_.constant_ints({0}, names_.node(scope, "Constant"));
      out[i] = b_.op("Unsqueeze", {dims[i], axes}, {}, names_.node(scope, "Unsqueeze"));
    }
    return {out[0], out[1]};
  }

  Value* reshape(const std::string& scope, Value* x, Value* shape) {
    return b_.op("Reshape", {x, shape}, {attr::i("allowzero", 0)}, names_.node(scope, "Reshape"));
  }

  // [batch, seq, hidden] -> [batch, heads, seq, head_dim] (or perm'd).
  Value* split_heads(const std::string& scope, Value* x, std::vector<int64_t> perm) {
    auto [batch, seq] = batch_and_seq(scope, x);
    Value* heads = b_.constant_ints({kHeads}, names_.node(scope, "Constant"));
    Value* head_dim = b_.constant_ints({kHeadDim}, names_.node(scope, "Constant"));
    Value* shape = b_.op("Concat", {batch, seq, heads, head_dim}, {attr::i("axis", 0)}, names_.node(scope, "Concat"));
    Value* y = reshape(scope, x, shape);
    return b_.op("Transpose", {y}, {attr::ints("perm", std::move(perm))}, names_.node(scope, "Transpose"));
  }

  // [batch, heads, seq, head_dim] -> [batch, seq, hidden]
  Value* merge_heads(const std::string& scope, Value* x) {
    Value* t = b_.op("Transpose", {x}, {attr::ints("perm", {0, 2, 1, 3})}, names_.node(scope, "Transpose"));
    auto [batch, seq] = batch_and_seq(scope, t);
    Value* hidden = b_.constant_ints({kHidden}, names_.node(scope, "Constant"));
    Value* shape = b_.op("Concat", {batch, seq, hidden}, {attr::i("axis", 0)}, names_.node(scope, "Concat"));
    return reshape(scope, t, shape);
  }

  // LayerNorm(x) * gamma + beta over the last axis, in primitives. `output_name` names the final
  // value (the graph output) instead of the exporter's "<node>_output_0".
  Value* layer_norm(Value* x, const std::string& module, const std::string& output_name = "") {
    const std::string scope = scope_of(module);
    auto gamma = ModelBuilder::random_normal(b_.seed(), module + ".weight", static_cast<size_t>(kHidden), 0.05f);
    for (float& g : gamma) g += 1.f;
    Value* weight = b_.init(module + ".weight", DataType::Float32, {kHidden}, gamma);
    Value* bias = b_.random_init(module + ".bias", {kHidden}, 0.02f);
    // One node per statement: the order of a call's arguments is unspecified, and both the node
    // order and the exporter-style name counters must not depend on the compiler.
    auto mean_of = [&](Value* v) {
      return b_.op("ReduceMean", {v}, {attr::ints("axes", {-1}), attr::i("keepdims", 1)},
                   names_.node(scope, "ReduceMean"));
    };
    Value* mean = mean_of(x);
    Value* centred = b_.op("Sub", {x, mean}, {}, names_.node(scope, "Sub"));
    Value* two = b_.constant_scalar(2.f, names_.node(scope, "Constant"));
    Value* sq = b_.op("Pow", {centred, two}, {}, names_.node(scope, "Pow"));
    Value* var = mean_of(sq);
    Value* eps = b_.constant_scalar(1e-12f, names_.node(scope, "Constant"));
    Value* var_eps = b_.op("Add", {var, eps}, {}, names_.node(scope, "Add"));
    Value* std_dev = b_.op("Sqrt", {var_eps}, {}, names_.node(scope, "Sqrt"));
    Value* norm = b_.op("Div", {centred, std_dev}, {}, names_.node(scope, "Div"));
    Value* scaled = b_.op("Mul", {norm, weight}, {}, names_.node(scope, "Mul"));
    std::string add_name = names_.node(scope, "Add");
    if (output_name.empty()) return b_.op("Add", {scaled, bias}, {}, add_name);
    return b_.node("Add", {scaled, bias}, {output_name}, {}, add_name)->output(0);
  }

  Value* gelu(const std::string& scope, Value* x) {
    Value* sqrt2 = b_.constant_scalar(1.41421353816986083984375f, names_.node(scope, "Constant"));
    Value* y = b_.op("Div", {x, sqrt2}, {}, names_.node(scope, "Div"));
    y = b_.op("Erf", {y}, {}, names_.node(scope, "Erf"));
    Value* one = b_.constant_scalar(1.f, names_.node(scope, "Constant"));
    y = b_.op("Add", {y, one}, {}, names_.node(scope, "Add"));
    y = b_.op("Mul", {x, y}, {}, names_.node(scope, "Mul"));
    Value* half = b_.constant_scalar(0.5f, names_.node(scope, "Constant"));
    return b_.op("Mul", {y, half}, {}, names_.node(scope, "Mul"));
  }

  ModelBuilder b_;
  samples::ExporterNames names_;
  int next_matmul_id_ = 301;
};

}  // namespace

Model make_bert_block(uint64_t seed) { return BertBlock(seed).build(); }

}  // namespace kiln
