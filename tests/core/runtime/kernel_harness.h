#pragma once
// Runs one op's kernel on given tensors outside a Session: the way kernel tests check a binding
// against hand-computed or reference values.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/ir/model.h"
#include "core/runtime/kernel.h"
#include "core/util/error.h"

namespace kiln::testing {

class HarnessContext : public KernelContext {
 public:
  HarnessContext(std::vector<const RtTensor*> ins, size_t outs) : ins_(std::move(ins)), outs_(outs) {}
  size_t input_count() const override { return ins_.size(); }
  const RtTensor* input(size_t i) const override { return i < ins_.size() ? ins_[i] : nullptr; }
  size_t output_count() const override { return outs_.size(); }
  RtTensor& output(size_t i, DataType dt, std::vector<int64_t> shape) override {
    if (i >= outs_.size()) fail("output index ", std::to_string(i), " out of range");
    outs_[i] = RtTensor::allocate(dt, std::move(shape));
    return outs_[i];
  }
  bool output_wanted(size_t i) const override { return i < outs_.size(); }
  int threads() const override { return 1; }
  std::vector<RtTensor> run_subgraph(const Graph&, const std::vector<RtTensor>&) override {
    fail("the kernel harness does not run subgraphs; test control flow through a Session");
  }
  std::vector<RtTensor> take_outputs() { return std::move(outs_); }

 private:
  std::vector<const RtTensor*> ins_;
  std::vector<RtTensor> outs_;
};

// Builds a one-node graph (op with the given attributes, `num_outputs` outputs), finds its kernel
// for `opset` and runs it. An empty RtTensor input stands for an omitted optional input.
inline std::vector<RtTensor> run_op(const std::string& op, const std::vector<RtTensor>& inputs,
                                    std::vector<Attribute> attrs = {}, size_t num_outputs = 1,
                                    int64_t opset = 17, const std::string& domain = "",
                                    Backend backend = Backend::Ref) {
  Model m;
  m.set_opset(domain, opset);
  std::vector<Value*> ins;
  for (size_t i = 0; i < inputs.size(); ++i)
    ins.push_back(inputs[i].empty() ? nullptr
                                    : m.graph->add_input("in" + std::to_string(i),
                                                         ValueType::tensor(inputs[i].dtype(), Shape::of(inputs[i].shape()))));
  std::vector<std::string> outs;
  for (size_t i = 0; i < num_outputs; ++i) outs.push_back("out" + std::to_string(i));
  Node* n = m.graph->add_node(op, ins, outs, domain);
  for (Attribute& a : attrs) n->set_attr(std::move(a));
  const KernelDef* def = KernelRegistry::global().find(domain, op, opset, backend);
  if (!def) fail("no kernel for ", op, " at opset ", std::to_string(opset));
  std::unique_ptr<OpKernel> k = def->create(KernelInit{*n, opset, backend});
  std::vector<const RtTensor*> ptrs;
  for (const RtTensor& t : inputs) ptrs.push_back(t.empty() ? nullptr : &t);
  HarnessContext ctx(ptrs, num_outputs);
  k->compute(ctx);
  return ctx.take_outputs();
}

template <class T>
RtTensor make_rt(DataType dt, std::vector<int64_t> shape, const std::vector<T>& values) {
  RtTensor t = RtTensor::allocate(dt, std::move(shape));
  if (static_cast<size_t>(t.numel()) != values.size()) fail("make_rt: value count does not match the shape");
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

template <class T>
std::vector<T> values_of(const RtTensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace kiln::testing
