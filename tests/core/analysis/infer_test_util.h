#pragma once
// Tiny graphs for inference and cost tests, built with the IR API.
#include <string>
#include <vector>

#include "core/analysis/shape_inference.h"
#include "core/ir/model.h"

namespace kiln::testing {

inline Dim D(int64_t v) { return Dim::known(v); }
inline Dim S(std::string s) { return Dim::symbolic(std::move(s)); }
inline Dim U() { return Dim::unknown(); }

struct TestModel {
  Model model;
  Graph& g;

  explicit TestModel(int64_t opset = 17) : g(*model.graph) { model.set_opset("", opset); }

  Value* in(std::string name, DataType dt, std::vector<Dim> dims) {
    return g.add_input(std::move(name), ValueType::tensor(dt, Shape(std::move(dims))));
  }
  Value* in_f32(std::string name, std::vector<Dim> dims) {
    return in(std::move(name), DataType::Float32, std::move(dims));
  }
  Value* in_unranked(std::string name, DataType dt) {
    return g.add_input(std::move(name), ValueType::tensor(dt));
  }
  Value* i64(std::string name, std::vector<int64_t> values, bool scalar = false) {
    std::vector<int64_t> dims;
    if (!scalar) dims.push_back(static_cast<int64_t>(values.size()));
    return g.add_initializer(Tensor::from_values(std::move(name), DataType::Int64, dims, values));
  }
  Value* f32(std::string name, std::vector<int64_t> dims, std::vector<float> values = {}) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    if (values.empty()) values.assign(static_cast<size_t>(n), 0.5f);
    return g.add_initializer(Tensor::from_values(std::move(name), DataType::Float32, dims, values));
  }
  Node* node(std::string op, std::vector<Value*> inputs, std::vector<std::string> outputs,
             std::vector<Attribute> attrs = {}) {
    Node* n = g.add_node(std::move(op), inputs, outputs);
    for (Attribute& a : attrs) n->set_attr(std::move(a));
    return n;
  }
  // Output 0 of a new node.
  Value* op(std::string op, std::vector<Value*> inputs, std::string output,
            std::vector<Attribute> attrs = {}) {
    return node(std::move(op), std::move(inputs), {std::move(output)}, std::move(attrs))->output(0);
  }
  InferenceReport infer(const InferenceOptions& o = {}) { return infer_shapes(model, o); }
  std::string type(const std::string& name) const {
    Value* v = g.find_value(name);
    return v ? v->type.str() : "<no value '" + name + "'>";
  }
};

}  // namespace kiln::testing
