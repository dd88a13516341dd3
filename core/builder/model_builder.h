#pragma once
// A small fluent API for building models in code: tests, fixtures and the bundled samples.
// Everything it makes is deterministic: random weights come from a splitmix64 stream seeded by the
// builder's seed and the tensor's name, so a weight does not change when another one is added, and
// the bytes are the same on every platform and standard library.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/model.h"

namespace kiln {

// Attribute shorthands: attr::i("group", 1), attr::ints("pads", {1, 1, 1, 1}), ...
namespace attr {
Attribute i(std::string name, int64_t v);
Attribute f(std::string name, float v);
Attribute s(std::string name, std::string v);
Attribute ints(std::string name, std::vector<int64_t> v);
Attribute floats(std::string name, std::vector<float> v);
Attribute strings(std::string name, std::vector<std::string> v);
Attribute t(std::string name, std::shared_ptr<const Tensor> v);
Attribute g(std::string name, std::unique_ptr<Graph> v);
}  // namespace attr

// Tensors from plain values (f32 values may be stored as f32, f16, bf16 or f64).
std::shared_ptr<const Tensor> make_tensor(std::string name, DataType dt, std::vector<int64_t> dims,
                                          const std::vector<float>& values);
std::shared_ptr<const Tensor> make_tensor_i64(std::string name, std::vector<int64_t> dims,
                                              const std::vector<int64_t>& values);
std::shared_ptr<const Tensor> make_tensor_i32(std::string name, std::vector<int64_t> dims,
                                              const std::vector<int32_t>& values);

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string graph_name = "main", int64_t opset = 17, uint64_t seed = 1);

  Graph& graph() { return *model_.graph; }
  Model& model() { return model_; }
  uint64_t seed() const { return seed_; }

  // --- graph inputs and outputs ---
  Value* input(std::string name, DataType dt, std::vector<Dim> dims);
  Value* input(std::string name, DataType dt, std::vector<int64_t> dims);
  // Marks a graph output; its type is whatever the value carries (unknown until inferred).
  void output(Value* v);
  // Marks a graph output and declares its type (ONNX requires typed graph outputs).
  void output(Value* v, DataType dt, std::vector<Dim> dims);

  // --- initializers ---
  // values are converted to dt (f32, f16, bf16 or f64); their count must match dims.
  Value* init(std::string name, DataType dt, std::vector<int64_t> dims, std::vector<float> values);
  Value* init_i64(std::string name, std::vector<int64_t> dims, std::vector<int64_t> values);
  Value* init_i32(std::string name, std::vector<int64_t> dims, std::vector<int32_t> values);
  Value* init(std::shared_ptr<const Tensor> t);
  // f32, roughly normal with standard deviation `scale`, seeded by (seed, name).
  Value* random_init(std::string name, std::vector<int64_t> dims, float scale = 0.1f);
  // f32, uniform in [lo, hi), seeded by (seed, name).
  Value* random_uniform_init(std::string name, std::vector<int64_t> dims, float lo, float hi);
  Value* scalar(std::string name, float v);                // f32, rank 0
  Value* ints(std::string name, std::vector<int64_t> v);   // i64, rank 1

  // --- nodes ---
  // One output, named "<node_name>_output_0" (as torch.onnx names them) or after the op type when
  // the node has no name. A nullptr input is an omitted optional input.
  Value* op(std::string op_type, std::vector<Value*> inputs, std::vector<Attribute> attrs = {},
            std::string node_name = "", std::string domain = "");
  std::vector<Value*> op_n(std::string op_type, std::vector<Value*> inputs, size_t num_outputs,
                           std::vector<Attribute> attrs = {}, std::string node_name = "",
                           std::string domain = "");
  // Outputs named exactly (a name already in use gets a suffix; "" is an omitted output).
  Node* node(std::string op_type, std::vector<Value*> inputs, std::vector<std::string> output_names,
             std::vector<Attribute> attrs = {}, std::string node_name = "", std::string domain = "");
  // A Constant node holding t, named like torch.onnx's "<scope>/Constant".
  Value* constant(std::shared_ptr<const Tensor> t, std::string node_name = "");
  Value* constant_scalar(float v, std::string node_name = "");
  Value* constant_ints(std::vector<int64_t> v, std::string node_name = "");
  Value* constant_i64_scalar(int64_t v, std::string node_name = "");

  // --- convenience for common layers (inputs nullptr where omitted) ---
  Value* conv(Value* x, Value* w, Value* b, std::vector<int64_t> kernel, std::vector<int64_t> strides,
              std::vector<int64_t> pads, int64_t group = 1, std::string node_name = "");
  Value* batchnorm(Value* x, Value* scale, Value* bias, Value* mean, Value* var, float epsilon = 1e-5f,
                   std::string node_name = "");
  Value* gemm(Value* a, Value* b, Value* c, bool trans_b = true, std::string node_name = "");

  // An empty If/Loop/Scan body sharing this model's node-id space; fill it with a GraphBuilder.
  std::unique_ptr<Graph> new_subgraph(std::string name) const;

  // Finishes: verify() must pass, else kiln::Error listing the problems.
  Model take();

  // Deterministic f32 samples for (seed, name): what random_init uses.
  static std::vector<float> random_normal(uint64_t seed, std::string_view name, size_t count,
                                          float scale);
  static std::vector<float> random_uniform(uint64_t seed, std::string_view name, size_t count,
                                           float lo, float hi);

 private:
  Model model_;
  uint64_t seed_;
  bool taken_ = false;
};

// Builds inside an existing graph (a subgraph body, or any graph being edited), with the same
// helpers as ModelBuilder but no model around it.
class GraphBuilder {
 public:
  explicit GraphBuilder(Graph& g) : g_(g) {}
  Graph& graph() { return g_; }
  Value* input(std::string name, DataType dt, std::vector<Dim> dims);
  Value* capture(std::string name);
  Value* init(std::shared_ptr<const Tensor> t);
  Value* op(std::string op_type, std::vector<Value*> inputs, std::vector<Attribute> attrs = {},
            std::string node_name = "", std::string domain = "");
  std::vector<Value*> op_n(std::string op_type, std::vector<Value*> inputs, size_t num_outputs,
                           std::vector<Attribute> attrs = {}, std::string node_name = "",
                           std::string domain = "");
  void output(Value* v);
  void output(Value* v, DataType dt, std::vector<Dim> dims);

 private:
  Graph& g_;
};

}  // namespace kiln
