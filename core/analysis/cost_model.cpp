// Arithmetic cost of nodes from their inferred shapes.
//
// Counting conventions (FLOPs = 2 * MACs + elementwise work):
// - Conv / ConvInteger / QLinearConv: MACs = N * Cout * spatial_out * (Cin / group) * kernel, i.e.
//   numel(Y) * prod(W.dims[1:]); a bias adds 1 per output element.
// - ConvTranspose: MACs = numel(X) * prod(W.dims[1:]) (every input element meets Cout/group *
//   kernel weights); a bias adds 1 per output element.
// - MatMul family: MACs = numel(Y) * K (batch broadcasting is in numel(Y)). Gemm adds 1 per
//   output element when C is given.
// - Einsum: MACs = product of every index's size (ellipsis included) per extra operand.
// - RNN / GRU / LSTM: MACs = seq * batch * directions * gates * hidden * (input + hidden), gates
//   1 / 3 / 4; elementwise per step and hidden unit: RNN 2 (bias, activation), GRU 11 (bias 3,
//   activations 3, reset product, update blend 4), LSTM 13 (bias 4, activations 4, cell update 3,
//   tanh, output product).
// - Elementwise ops: FLOPs per output element from kPerOutput below (1 for plain arithmetic; more
//   for transcendental activations and normalizations). Variadic Sum/Max/Min: n-1 per element,
//   Mean one more.
// - Pooling: kernel size per output element (LpPool twice that); global pooling and reductions:
//   1 or 2 per input element.
// - Resize / Upsample: 0 for nearest; linear and cubic: 2 FLOPs per input sample weighed, 2^k or
//   4^k samples per output element over the k resized axes.
// - Data movement (Reshape, Transpose, Concat, Gather, Slice, Cast, ...): 0 FLOPs, but known.
// - Kiln's FusedConv/FusedGemm/FusedMatMul: the core op plus their epilogue.
// Ops without a formula here (other custom domains, NonMaxSuppression, RoiAlign, DFT, ...) are unknown.
#include "core/analysis/cost_model.h"

#include <array>
#include <optional>
#include <unordered_map>

#include "core/ir/kiln_domain.h"

namespace kiln {

namespace {

std::optional<int64_t> numel(const Value* v) {
  if (!v || !v->type.is_tensor() || !v->type.shape) return std::nullopt;
  return v->type.shape->numel();
}

const Shape* shape_of(const Value* v) {
  if (!v || !v->type.is_tensor() || !v->type.shape) return nullptr;
  return &*v->type.shape;
}

// Saturating arithmetic: absurd shapes must not overflow into negative costs.
int64_t mul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}
int64_t add(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

NodeCost known(int64_t macs, int64_t extra_flops) {
  return NodeCost{macs, add(mul(2, macs), extra_flops), true};
}

const NodeCost kUnknown{};

// Product of W.dims[1:] (weights per output element of a conv).
std::optional<int64_t> weights_per_output(const Value* w) {
  const Shape* s = shape_of(w);
  if (!s || s->rank() < 2) return std::nullopt;
  int64_t p = 1;
  for (size_t i = 1; i < s->rank(); ++i) {
    if (!s->dims[i].is_known()) return std::nullopt;
    p = mul(p, s->dims[i].value);
  }
  return p;
}

NodeCost conv_cost(const Node& n, size_t w_index, size_t bias_index) {
  auto y = numel(n.output(0));
  auto per = weights_per_output(n.input(w_index));
  if (!y || !per) return kUnknown;
  int64_t macs = mul(*y, *per);
  return known(macs, n.input(bias_index) ? *y : 0);
}

NodeCost conv_transpose_cost(const Node& n) {
  auto x = numel(n.input(0));
  auto per = weights_per_output(n.input(1));
  if (!x || !per) return kUnknown;
  int64_t bias = 0;
  if (n.input(2)) {
    auto y = numel(n.output(0));
    if (!y) return kUnknown;
    bias = *y;
  }
  return known(mul(*x, *per), bias);
}

NodeCost matmul_cost(const Node& n, size_t a_index) {
  auto y = numel(n.output(0));
  const Shape* a = shape_of(n.input(a_index));
  if (!y || !a || a->rank() == 0 || !a->dims.back().is_known()) return kUnknown;
  return known(mul(*y, a->dims.back().value), 0);
}

NodeCost gemm_cost(const Node& n) {
  auto y = numel(n.output(0));
  const Shape* a = shape_of(n.input(0));
  if (!y || !a || a->rank() != 2) return kUnknown;
  const Dim& k = a->dims[n.attr_int("transA", 0) ? 0 : 1];
  if (!k.is_known()) return kUnknown;
  return known(mul(*y, k.value), n.input(2) ? *y : 0);
}

NodeCost einsum_cost(const Node& n) {
  std::string eq = n.attr_string("equation", "");
  std::string lhs = eq.substr(0, eq.find("->"));
  std::array<int64_t, 128> size{};
  int64_t ellipsis = 1;
  size_t operand = 0;
  for (size_t start = 0; operand < n.num_inputs(); ++operand) {
    size_t comma = lhs.find(',', start);
    std::string term = lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const Shape* s = shape_of(n.input(operand));
    if (!s || !s->is_static()) return kUnknown;
    size_t letters = 0;
    for (char ch : term)
      if (ch != '.' && ch != ' ') ++letters;
    bool has_ellipsis = term.find('.') != std::string::npos;
    if (letters > s->rank() || (!has_ellipsis && letters != s->rank())) return kUnknown;
    size_t ell = s->rank() - letters, pos = 0;
    for (size_t i = 0; i < term.size(); ++i) {
      char ch = term[i];
      if (ch == ' ') continue;
      if (ch == '.') {
        int64_t e = 1;
        for (size_t j = 0; j < ell; ++j) e = mul(e, s->dims[pos + j].value);
        ellipsis = std::max(ellipsis, e);
        pos += ell;
        i += 2;
        continue;
      }
      auto idx = static_cast<unsigned char>(ch);
      if (idx >= size.size()) return kUnknown;
      size[idx] = std::max(size[idx], s->dims[pos].value);
      ++pos;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (n.num_inputs() < 2) {
    auto x = numel(n.input(0));
    return x ? known(0, *x) : kUnknown;
  }
  int64_t prod = ellipsis;
  for (int64_t s : size)
    if (s > 0) prod = mul(prod, s);
  return known(mul(prod, static_cast<int64_t>(n.num_inputs() - 1)), 0);
}

NodeCost recurrent_cost(const Node& n, int64_t gates, int64_t elementwise_per_unit) {
  const Shape* x = shape_of(n.input(0));
  if (!x || x->rank() != 3 || !x->is_static()) return kUnknown;
  bool batch_major = n.attr_int("layout", 0) == 1;
  int64_t seq = x->dims[batch_major ? 1 : 0].value, batch = x->dims[batch_major ? 0 : 1].value;
  int64_t input = x->dims[2].value;
  int64_t hidden = n.attr_int("hidden_size", -1);
  if (hidden < 0) {
    const Shape* r = shape_of(n.input(2));
    if (!r || r->rank() != 3 || !r->dims[2].is_known()) return kUnknown;
    hidden = r->dims[2].value;
  }
  int64_t dirs = n.attr_string("direction", "forward") == "bidirectional" ? 2 : 1;
  int64_t steps = mul(mul(seq, batch), dirs);
  int64_t macs = mul(steps, mul(mul(gates, hidden), add(input, hidden)));
  return known(macs, mul(steps, mul(hidden, elementwise_per_unit)));
}

NodeCost pool_cost(const Node& n, int64_t per_tap) {
  auto y = numel(n.output(0));
  if (!y) return kUnknown;
  int64_t k = 1;
  for (int64_t d : n.attr_ints("kernel_shape")) k = mul(k, d);
  return known(0, mul(mul(*y, k), per_tap));
}

NodeCost resize_cost(const Node& n) {
  std::string mode = n.attr_string("mode", "nearest");
  auto y = numel(n.output(0));
  if (!y) return kUnknown;
  if (mode == "nearest") return known(0, 0);
  const Shape* in = shape_of(n.input(0));
  const Shape* out = shape_of(n.output(0));
  if (!in || !out || in->rank() != out->rank()) return kUnknown;
  int64_t taps = 1;
  for (size_t i = 0; i < in->rank(); ++i)
    if (!(in->dims[i] == out->dims[i])) taps = mul(taps, mode == "cubic" ? 4 : 2);
  return known(0, mul(mul(*y, taps), 2));
}

// FLOPs per output element of elementwise ops.
const std::unordered_map<std::string_view, int64_t>& per_output_table() {
  static const std::unordered_map<std::string_view, int64_t> t = [] {
    std::unordered_map<std::string_view, int64_t> m;
    for (auto op : {"Add", "Sub", "Mul", "Div", "Mod", "Pow", "BitShift", "BitwiseAnd",
                    "BitwiseOr", "BitwiseXor", "BitwiseNot", "And", "Or", "Xor", "Not", "Equal",
                    "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Abs", "Neg", "Floor",
                    "Ceil", "Round", "Sign", "Reciprocal", "Sqrt", "Exp", "Log", "Sin", "Cos",
                    "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
                    "Erf", "Relu", "IsNaN", "IsInf", "Where", "ThresholdedRelu", "CumSum",
                    "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
                    "Bernoulli", "Multinomial", "EyeLike", "OneHot"})
      m[op] = 1;
    // compare + multiply or select
    for (auto op : {"LeakyRelu", "PRelu", "Clip", "Shrink", "Hardmax", "DequantizeLinear",
                    "BatchNormalization"})  // BatchNormalization: folded scale and shift
      m[op] = 2;
    for (auto op : {"Elu", "Softplus", "Softsign", "HardSigmoid", "LpNormalization",
                    "QuantizeLinear"})  // QuantizeLinear: divide, round, add zero point
      m[op] = 3;
    for (auto op : {"Sigmoid", "Selu", "Celu", "HardSwish"}) m[op] = 4;
    // Softmax: max, subtract, exp, sum, divide
    for (auto op : {"Tanh", "Swish", "Softmax", "LogSoftmax", "RMSNormalization"}) m[op] = 5;
    // mean, subtract, square, variance sum, normalize, scale, shift
    for (auto op : {"LayerNormalization", "InstanceNormalization", "GroupNormalization",
                    "MeanVarianceNormalization", "Mish"})
      m[op] = 7;
    m["Gelu"] = 8;  // tanh form: cube, 2 mul-adds, tanh, add, 2 products
    m["GridSample"] = 8;  // bilinear: 4 taps, weight and accumulate
    return m;
  }();
  return t;
}

// FLOPs per input element of reductions.
const std::unordered_map<std::string_view, int64_t>& per_input_table() {
  static const std::unordered_map<std::string_view, int64_t> t = {
      {"ReduceSum", 1},       {"ReduceMean", 1},      {"ReduceMax", 1},
      {"ReduceMin", 1},       {"ReduceProd", 1},      {"ReduceLogSum", 1},
      {"ReduceL1", 2},        {"ReduceL2", 2},        {"ReduceSumSquare", 2},
      {"ReduceLogSumExp", 2}, {"ArgMax", 1},          {"ArgMin", 1},
      {"TopK", 1},            {"GlobalMaxPool", 1},   {"GlobalAveragePool", 1},
      {"GlobalLpPool", 2},    {"DynamicQuantizeLinear", 5}};
  return t;
}

bool is_data_movement(std::string_view op) {
  static const std::unordered_map<std::string_view, bool> t = [] {
    std::unordered_map<std::string_view, bool> m;
    for (auto o : {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split",
                   "Slice", "Gather", "GatherElements", "GatherND", "ScatterND",
                   "ScatterElements", "Scatter", "Expand", "Tile", "Pad", "Identity", "Shape",
                   "Size", "Constant", "ConstantOfShape", "Range", "DepthToSpace", "SpaceToDepth",
                   "Dropout", "Cast", "CastLike", "NonZero", "Compress", "ReverseSequence",
                   "Unique", "Trilu", "Col2Im", "CenterCropPad", "If", "Loop", "Scan",
                   "MaxUnpool", "AffineGrid"})
      m[o] = true;
    return m;
  }();
  return t.count(op) != 0;
}

// Kiln's fused ops (core/ir/kiln_epilogue_ops.h): the core op's cost plus the epilogue it
// absorbed, per output element: the bias (FusedMatMul), the residual add and the activation (priced
// as the ONNX op of that name where the table has it, else one flop).
NodeCost kiln_fused_cost(const Node& n) {
  NodeCost core;
  const std::string& op = n.op_type;
  bool bias = false, residual = false;
  if (op == "FusedConv") {
    core = conv_cost(n, 1, 2);
    residual = n.input(3) != nullptr;
  } else if (op == "FusedGemm") {
    core = gemm_cost(n);
  } else if (op == "FusedMatMul") {
    core = matmul_cost(n, 0);
    bias = n.input(2) != nullptr;
    residual = n.input(3) != nullptr;
  } else {
    return kUnknown;
  }
  auto y = numel(n.output(0));
  if (!core.known || !y) return kUnknown;
  int64_t per = (bias ? 1 : 0) + (residual ? 1 : 0);
  const std::string act = n.attr_string("activation", "");
  if (!act.empty()) {
    auto it = per_output_table().find(act);
    per += it != per_output_table().end() ? it->second : 1;
  }
  core.flops = add(core.flops, mul(*y, per));
  return core;
}

}  // namespace

NodeCost estimate_node_cost(const Node& node) {
  if (node.domain == kKilnDomain) return kiln_fused_cost(node);
  if (!node.is_onnx_domain()) return kUnknown;
  const std::string& op = node.op_type;
  if (op == "Conv" || op == "ConvInteger") return conv_cost(node, 1, 2);
  if (op == "QLinearConv") return conv_cost(node, 3, 8);
  if (op == "ConvTranspose") return conv_transpose_cost(node);
  if (op == "MatMul" || op == "MatMulInteger") return matmul_cost(node, 0);
  if (op == "QLinearMatMul") return matmul_cost(node, 0);
  if (op == "Gemm") return gemm_cost(node);
  if (op == "Einsum") return einsum_cost(node);
  if (op == "LSTM") return recurrent_cost(node, 4, 13);
  if (op == "GRU") return recurrent_cost(node, 3, 11);
  if (op == "RNN") return recurrent_cost(node, 1, 2);
  if (op == "MaxPool" || op == "AveragePool") return pool_cost(node, 1);
  if (op == "LpPool") return pool_cost(node, 2);
  if (op == "Resize" || op == "Upsample") return resize_cost(node);
  if (is_data_movement(op)) return known(0, 0);
  if (op == "Sum" || op == "Max" || op == "Min" || op == "Mean") {
    auto y = numel(node.output(0));
    if (!y) return kUnknown;
    int64_t per = static_cast<int64_t>(node.num_inputs()) - 1 + (op == "Mean" ? 1 : 0);
    return known(0, mul(*y, std::max<int64_t>(per, 0)));
  }
  if (op == "LRN") {
    auto y = numel(node.output(0));
    if (!y) return kUnknown;
    // squares summed over `size` channels, then scale, bias, power and divide
    return known(0, mul(*y, add(mul(2, node.attr_int("size", 1)), 4)));
  }
  if (auto it = per_output_table().find(op); it != per_output_table().end()) {
    auto y = numel(node.output(0));
    return y ? known(0, mul(*y, it->second)) : kUnknown;
  }
  if (auto it = per_input_table().find(op); it != per_input_table().end()) {
    auto x = numel(node.input(0));
    return x ? known(0, mul(*x, it->second)) : kUnknown;
  }
  return kUnknown;
}

namespace {

void add_graph_cost(const Graph& g, ModelCost& total) {
  g.for_each_node([&](const Node* n) {
    NodeCost c = estimate_node_cost(*n);
    ModelCost::PerOp& p =
        total.by_op[n->is_onnx_domain() ? n->op_type : n->domain + "::" + n->op_type];
    ++p.count;
    if (c.known) {
      p.macs = add(p.macs, c.macs);
      p.flops = add(p.flops, c.flops);
      total.total_macs = add(total.total_macs, c.macs);
      total.total_flops = add(total.total_flops, c.flops);
    } else {
      ++p.unknown;
      ++total.nodes_unknown;
    }
    for (const Graph* sg : n->subgraphs()) add_graph_cost(*sg, total);
  });
}

}  // namespace

ModelCost estimate_model_cost(const Model& model) {
  ModelCost total;
  if (model.graph) add_graph_cost(*model.graph, total);
  return total;
}

}  // namespace kiln
