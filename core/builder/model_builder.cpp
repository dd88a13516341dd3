#include "core/builder/model_builder.h"

#include <bit>
#include <cstring>

#include "core/util/error.h"

namespace kiln {

namespace attr {
Attribute i(std::string name, int64_t v) { return Attribute::make_int(std::move(name), v); }
Attribute f(std::string name, float v) { return Attribute::make_float(std::move(name), v); }
Attribute s(std::string name, std::string v) { return Attribute::make_string(std::move(name), std::move(v)); }
Attribute ints(std::string name, std::vector<int64_t> v) { return Attribute::make_ints(std::move(name), std::move(v)); }
Attribute floats(std::string name, std::vector<float> v) { return Attribute::make_floats(std::move(name), std::move(v)); }
Attribute strings(std::string name, std::vector<std::string> v) {
  return Attribute::make_strings(std::move(name), std::move(v));
}
Attribute t(std::string name, std::shared_ptr<const Tensor> v) { return Attribute::make_tensor(std::move(name), std::move(v)); }
Attribute g(std::string name, std::unique_ptr<Graph> v) { return Attribute::make_graph(std::move(name), std::move(v)); }
}  // namespace attr

namespace {

int64_t element_count(const std::string& name, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) fail("tensor '", name, "': negative dim ", std::to_string(d));
    n *= d;
  }
  return n;
}

void check_count(const std::string& name, const std::vector<int64_t>& dims, size_t count) {
  int64_t n = element_count(name, dims);
  if (static_cast<int64_t>(count) != n)
    fail("tensor '", name, "': ", std::to_string(count), " values for ", std::to_string(n), " elements");
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t stream_seed(uint64_t seed, std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the name, mixed with the seed
  for (char c : name) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  uint64_t state = seed ^ h;
  return splitmix64(state);
}

// A uniform double in [0, 1) with 53 random bits: exact, so the result is the same everywhere.
double unit(uint64_t& state) { return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53; }

std::string output_name_for(Graph& g, const std::string& node_name, const std::string& op_type,
                            size_t index, size_t count) {
  if (!node_name.empty()) return node_name + "_output_" + std::to_string(index);
  if (count == 1) return g.unique_name(op_type);
  return g.unique_name(op_type + "_" + std::to_string(index));
}

Node* add_op(Graph& g, std::string op_type, const std::vector<Value*>& inputs,
             const std::vector<std::string>& output_names, std::vector<Attribute> attrs,
             std::string node_name, std::string domain) {
  for (Value* in : inputs)
    if (in && in->graph() != &g)
      fail("builder: input '", in->name(), "' of ", op_type, " belongs to another graph");
  Node* n = g.add_node(std::move(op_type), inputs, output_names, std::move(domain));
  n->name = std::move(node_name);
  for (Attribute& a : attrs) n->set_attr(std::move(a));
  return n;
}

std::vector<Value*> add_op_n(Graph& g, std::string op_type, const std::vector<Value*>& inputs,
                             size_t num_outputs, std::vector<Attribute> attrs, std::string node_name,
                             std::string domain) {
  std::vector<std::string> names;
  for (size_t i = 0; i < num_outputs; ++i)
    names.push_back(output_name_for(g, node_name, op_type, i, num_outputs));
  Node* n = add_op(g, std::move(op_type), inputs, names, std::move(attrs), std::move(node_name),
                   std::move(domain));
  return n->outputs();
}

void set_output_type(Value* v, DataType dt, std::vector<Dim> dims) {
  v->type = ValueType::tensor(dt, Shape(std::move(dims)));
  v->has_value_info = true;
}

}  // namespace

std::shared_ptr<const Tensor> make_tensor(std::string name, DataType dt, std::vector<int64_t> dims,
                                          const std::vector<float>& values) {
  check_count(name, dims, values.size());
  switch (dt) {
    case DataType::Float32: return Tensor::from_values(std::move(name), dt, std::move(dims), values);
    case DataType::Float64: {
      std::vector<double> d(values.begin(), values.end());
      return Tensor::from_values(std::move(name), dt, std::move(dims), d);
    }
    case DataType::Float16:
    case DataType::BFloat16: {
      std::vector<uint16_t> h;
      h.reserve(values.size());
      for (float v : values) h.push_back(dt == DataType::Float16 ? float_to_half(v) : float_to_bfloat16(v));
      return Tensor::from_values(std::move(name), dt, std::move(dims), h);
    }
    default:
      fail("tensor '", name, "': float values cannot be stored as ", dtype_name(dt));
  }
}

std::shared_ptr<const Tensor> make_tensor_i64(std::string name, std::vector<int64_t> dims,
                                              const std::vector<int64_t>& values) {
  check_count(name, dims, values.size());
  return Tensor::from_values(std::move(name), DataType::Int64, std::move(dims), values);
}

std::shared_ptr<const Tensor> make_tensor_i32(std::string name, std::vector<int64_t> dims,
                                              const std::vector<int32_t>& values) {
  check_count(name, dims, values.size());
  return Tensor::from_values(std::move(name), DataType::Int32, std::move(dims), values);
}

// ---------------------------------------------------------------- ModelBuilder

ModelBuilder::ModelBuilder(std::string graph_name, int64_t opset, uint64_t seed) : seed_(seed) {
  model_.ir_version = 8;
  model_.producer_name = "kiln";
  model_.set_opset("", opset);
  model_.graph->name = std::move(graph_name);
}

Value* ModelBuilder::input(std::string name, DataType dt, std::vector<Dim> dims) {
  return graph().add_input(std::move(name), ValueType::tensor(dt, Shape(std::move(dims))));
}

Value* ModelBuilder::input(std::string name, DataType dt, std::vector<int64_t> dims) {
  return graph().add_input(std::move(name), ValueType::tensor(dt, Shape::of(dims)));
}

void ModelBuilder::output(Value* v) { graph().add_output(v); }

void ModelBuilder::output(Value* v, DataType dt, std::vector<Dim> dims) {
  set_output_type(v, dt, std::move(dims));
  graph().add_output(v);
}

Value* ModelBuilder::init(std::string name, DataType dt, std::vector<int64_t> dims, std::vector<float> values) {
  return init(make_tensor(std::move(name), dt, std::move(dims), values));
}

Value* ModelBuilder::init_i64(std::string name, std::vector<int64_t> dims, std::vector<int64_t> values) {
  return init(make_tensor_i64(std::move(name), std::move(dims), values));
}

Value* ModelBuilder::init_i32(std::string name, std::vector<int64_t> dims, std::vector<int32_t> values) {
  return init(make_tensor_i32(std::move(name), std::move(dims), values));
}

Value* ModelBuilder::init(std::shared_ptr<const Tensor> t) {
  if (graph().find_value(t->name)) fail("builder: value '", t->name, "' already exists");
  return graph().add_initializer(std::move(t));
}

Value* ModelBuilder::random_init(std::string name, std::vector<int64_t> dims, float scale) {
  auto n = static_cast<size_t>(element_count(name, dims));
  auto v = random_normal(seed_, name, n, scale);
  return init(std::move(name), DataType::Float32, std::move(dims), std::move(v));
}

Value* ModelBuilder::random_uniform_init(std::string name, std::vector<int64_t> dims, float lo, float hi) {
  auto n = static_cast<size_t>(element_count(name, dims));
  auto v = random_uniform(seed_, name, n, lo, hi);
  return init(std::move(name), DataType::Float32, std::move(dims), std::move(v));
}

Value* ModelBuilder::scalar(std::string name, float v) {
  return init(std::move(name), DataType::Float32, {}, {v});
}

Value* ModelBuilder::ints(std::string name, std::vector<int64_t> v) {
  std::vector<int64_t> dims{static_cast<int64_t>(v.size())};
  return init_i64(std::move(name), std::move(dims), std::move(v));
}

Value* ModelBuilder::op(std::string op_type, std::vector<Value*> inputs, std::vector<Attribute> attrs,
                        std::string node_name, std::string domain) {
  return add_op_n(graph(), std::move(op_type), inputs, 1, std::move(attrs), std::move(node_name),
                  std::move(domain))[0];
}

std::vector<Value*> ModelBuilder::op_n(std::string op_type, std::vector<Value*> inputs, size_t num_outputs,
                                       std::vector<Attribute> attrs, std::string node_name,
                                       std::string domain) {
  return add_op_n(graph(), std::move(op_type), inputs, num_outputs, std::move(attrs), std::move(node_name),
                  std::move(domain));
}

Node* ModelBuilder::node(std::string op_type, std::vector<Value*> inputs, std::vector<std::string> output_names,
                         std::vector<Attribute> attrs, std::string node_name, std::string domain) {
  return add_op(graph(), std::move(op_type), inputs, output_names, std::move(attrs), std::move(node_name),
                std::move(domain));
}

Value* ModelBuilder::constant(std::shared_ptr<const Tensor> t, std::string node_name) {
  std::vector<Attribute> attrs;
  attrs.push_back(attr::t("value", std::move(t)));
  return op("Constant", {}, std::move(attrs), std::move(node_name));
}

Value* ModelBuilder::constant_scalar(float v, std::string node_name) {
  return constant(make_tensor("", DataType::Float32, {}, {v}), std::move(node_name));
}

Value* ModelBuilder::constant_ints(std::vector<int64_t> v, std::string node_name) {
  std::vector<int64_t> dims{static_cast<int64_t>(v.size())};
  return constant(make_tensor_i64("", std::move(dims), v), std::move(node_name));
}

Value* ModelBuilder::constant_i64_scalar(int64_t v, std::string node_name) {
  return constant(make_tensor_i64("", {}, {v}), std::move(node_name));
}

Value* ModelBuilder::conv(Value* x, Value* w, Value* b, std::vector<int64_t> kernel, std::vector<int64_t> strides,
                          std::vector<int64_t> pads, int64_t group, std::string node_name) {
  std::vector<int64_t> dilations(kernel.size(), 1);
  std::vector<Value*> inputs{x, w};
  if (b) inputs.push_back(b);
  return op("Conv", inputs,
            {attr::ints("dilations", std::move(dilations)), attr::i("group", group),
             attr::ints("kernel_shape", std::move(kernel)), attr::ints("pads", std::move(pads)),
             attr::ints("strides", std::move(strides))},
            std::move(node_name));
}

Value* ModelBuilder::batchnorm(Value* x, Value* scale, Value* bias, Value* mean, Value* var, float epsilon,
                               std::string node_name) {
  return op("BatchNormalization", {x, scale, bias, mean, var},
            {attr::f("epsilon", epsilon), attr::f("momentum", 0.9f)}, std::move(node_name));
}

Value* ModelBuilder::gemm(Value* a, Value* b, Value* c, bool trans_b, std::string node_name) {
  std::vector<Value*> inputs{a, b};
  if (c) inputs.push_back(c);
  return op("Gemm", inputs, {attr::f("alpha", 1.f), attr::f("beta", 1.f), attr::i("transB", trans_b ? 1 : 0)},
            std::move(node_name));
}

std::unique_ptr<Graph> ModelBuilder::new_subgraph(std::string name) const {
  auto g = model_.graph->new_subgraph();
  g->name = std::move(name);
  return g;
}

Model ModelBuilder::take() {
  if (taken_) fail("builder: take() called twice");
  std::vector<std::string> problems = graph().verify();
  if (!problems.empty()) {
    std::string msg = "builder: the model does not verify:";
    for (const std::string& p : problems) msg += "\n  " + p;
    throw Error(msg);
  }
  taken_ = true;
  return std::move(model_);
}

std::vector<float> ModelBuilder::random_normal(uint64_t seed, std::string_view name, size_t count, float scale) {
  // Irwin-Hall: the sum of four uniforms, centred and scaled to unit variance, is close enough to
  // normal for weights, and unlike std::normal_distribution it is the same on every library.
  uint64_t state = stream_seed(seed, name);
  std::vector<float> out(count);
  constexpr double kSqrt3 = 1.7320508075688772;
  for (float& x : out) {
    double sum = unit(state) + unit(state) + unit(state) + unit(state);
    double centred = sum - 2.0;
    x = static_cast<float>(centred * kSqrt3 * static_cast<double>(scale));
  }
  return out;
}

std::vector<float> ModelBuilder::random_uniform(uint64_t seed, std::string_view name, size_t count, float lo,
                                                float hi) {
  uint64_t state = stream_seed(seed, name);
  std::vector<float> out(count);
  double span = static_cast<double>(hi) - static_cast<double>(lo);
  for (float& x : out) {
    double scaled = unit(state) * span;
    x = static_cast<float>(scaled + static_cast<double>(lo));
  }
  return out;
}

// ---------------------------------------------------------------- GraphBuilder

Value* GraphBuilder::input(std::string name, DataType dt, std::vector<Dim> dims) {
  return g_.add_input(std::move(name), ValueType::tensor(dt, Shape(std::move(dims))));
}

Value* GraphBuilder::capture(std::string name) { return g_.add_capture(std::move(name)); }

Value* GraphBuilder::init(std::shared_ptr<const Tensor> t) {
  if (g_.find_value(t->name)) fail("builder: value '", t->name, "' already exists");
  return g_.add_initializer(std::move(t));
}

Value* GraphBuilder::op(std::string op_type, std::vector<Value*> inputs, std::vector<Attribute> attrs,
                        std::string node_name, std::string domain) {
  return add_op_n(g_, std::move(op_type), inputs, 1, std::move(attrs), std::move(node_name), std::move(domain))[0];
}

std::vector<Value*> GraphBuilder::op_n(std::string op_type, std::vector<Value*> inputs, size_t num_outputs,
                                       std::vector<Attribute> attrs, std::string node_name,
                                       std::string domain) {
  return add_op_n(g_, std::move(op_type), inputs, num_outputs, std::move(attrs), std::move(node_name),
                  std::move(domain));
}

void GraphBuilder::output(Value* v) { g_.add_output(v); }

void GraphBuilder::output(Value* v, DataType dt, std::vector<Dim> dims) {
  set_output_type(v, dt, std::move(dims));
  g_.add_output(v);
}

}  // namespace kiln
