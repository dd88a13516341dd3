// resnet_mini: a torchvision-style ResNet cut down to 64x64 inputs, as torch.onnx exports it in
// eval mode without constant folding of BatchNormalization: stem Conv-BN-Relu + MaxPool, four
// basic blocks (the third with a strided 1x1 projection shortcut; the second and fourth use
// HardSwish written out as x * Clip(x + 3, 0, 6) / 6), GlobalAveragePool, Flatten, Gemm.
#include <cmath>

#include "core/builder/model_builder.h"
#include "core/builder/sample_models.h"
#include "core/builder/samples/exporter_names.h"

namespace kiln {

namespace {

class ResNetMini {
 public:
  explicit ResNetMini(uint64_t seed) : b_("main_graph", 17, seed) {}

  Model build() {
    Model& m = b_.model();
    m.producer_name = "kiln-samples";
    m.producer_version = "0.1";
    Value* x = b_.input("input", DataType::Float32, {Dim::symbolic("batch"), Dim::known(3), Dim::known(64), Dim::known(64)});
    x = conv_bn("conv1", "bn1", x, 3, 16, 3, 2, 1);
    x = b_.op("Relu", {x}, {}, names_.node("/relu", "Relu"));
    x = b_.op("MaxPool", {x},
              {attr::i("ceil_mode", 0), attr::ints("dilations", {1, 1}), attr::ints("kernel_shape", {3, 3}),
               attr::ints("pads", {1, 1, 1, 1}), attr::ints("strides", {2, 2})},
              names_.node("/maxpool", "MaxPool"));
    x = basic_block("layer1.0", x, 16, 16, 1, false);
    x = basic_block("layer1.1", x, 16, 16, 1, true);
    x = basic_block("layer2.0", x, 16, 32, 2, false);
    x = basic_block("layer2.1", x, 32, 32, 1, true);
    x = b_.op("GlobalAveragePool", {x}, {}, names_.node("/avgpool", "GlobalAveragePool"));
    x = b_.op("Flatten", {x}, {attr::i("axis", 1)}, names_.node("", "Flatten"));
    Value* w = b_.random_init("fc.weight", {10, 32}, 1.f / std::sqrt(32.f));
    Value* bias = b_.random_init("fc.bias", {10}, 0.05f);
    Node* fc = b_.node("Gemm", {x, w, bias}, {"logits"},
                       {attr::f("alpha", 1.f), attr::f("beta", 1.f), attr::i("transB", 1)},
                       names_.node("/fc", "Gemm"));
    b_.output(fc->output(0), DataType::Float32, {Dim::symbolic("batch"), Dim::known(10)});
    return b_.take();
  }

 private:
  static std::string scope_of(const std::string& module) { return samples::ExporterNames::scope_of(module); }

  // Conv (no bias, as torchvision's) then BatchNormalization, for modules like "layer1.0.conv1".
  Value* conv_bn(const std::string& conv, const std::string& bn, Value* x, int64_t cin, int64_t cout, int64_t k,
                 int64_t stride, int64_t pad) {
    float he = std::sqrt(2.f / static_cast<float>(cin * k * k));
    Value* w = b_.random_init(conv + ".weight", {cout, cin, k, k}, he);
    Value* y = b_.conv(x, w, nullptr, {k, k}, {stride, stride}, {pad, pad, pad, pad}, 1,
                       names_.node(scope_of(conv), "Conv"));
    auto gamma = ModelBuilder::random_normal(b_.seed(), bn + ".weight", static_cast<size_t>(cout), 0.1f);
    for (float& g : gamma) g += 1.f;
    Value* scale = b_.init(bn + ".weight", DataType::Float32, {cout}, gamma);
    Value* beta = b_.random_init(bn + ".bias", {cout}, 0.1f);
    Value* mean = b_.random_init(bn + ".running_mean", {cout}, 0.1f);
    Value* var = b_.random_uniform_init(bn + ".running_var", {cout}, 0.5f, 1.5f);
    return b_.batchnorm(y, scale, beta, mean, var, 1e-5f, names_.node(scope_of(bn), "BatchNormalization"));
  }

  // x * Clip(x + 3, 0, 6) / 6, with the scalars as Constant nodes, as exported from a module that
  // spells HardSwish out instead of calling nn.Hardswish.
  Value* hardswish(const std::string& scope, Value* x) {
    Value* three = b_.constant_scalar(3.f, names_.node(scope, "Constant"));
    Value* shifted = b_.op("Add", {x, three}, {}, names_.node(scope, "Add"));
    Value* lo = b_.constant_scalar(0.f, names_.node(scope, "Constant"));
    Value* hi = b_.constant_scalar(6.f, names_.node(scope, "Constant"));
    Value* clipped = b_.op("Clip", {shifted, lo, hi}, {}, names_.node(scope, "Clip"));
    Value* prod = b_.op("Mul", {x, clipped}, {}, names_.node(scope, "Mul"));
    Value* six = b_.constant_scalar(6.f, names_.node(scope, "Constant"));
    return b_.op("Div", {prod, six}, {}, names_.node(scope, "Div"));
  }

  Value* basic_block(const std::string& block, Value* x, int64_t cin, int64_t cout, int64_t stride, bool hswish) {
    Value* identity = x;
    Value* y = conv_bn(block + ".conv1", block + ".bn1", x, cin, cout, 3, stride, 1);
    y = hswish ? hardswish(scope_of(block + ".act1"), y)
               : b_.op("Relu", {y}, {}, names_.node(scope_of(block + ".relu"), "Relu"));
    y = conv_bn(block + ".conv2", block + ".bn2", y, cout, cout, 3, 1, 1);
    if (stride != 1 || cin != cout)
      identity = conv_bn(block + ".downsample.0", block + ".downsample.1", x, cin, cout, 1, stride, 0);
    y = b_.op("Add", {y, identity}, {}, names_.node(scope_of(block), "Add"));
    // torch reuses the block's ReLU module, so its second call is exported under "relu_1".
    return hswish ? hardswish(scope_of(block + ".act2"), y)
                  : b_.op("Relu", {y}, {}, names_.node(scope_of(block + ".relu_1"), "Relu"));
  }

  ModelBuilder b_;
  samples::ExporterNames names_;
};

}  // namespace

Model make_resnet_mini(uint64_t seed) { return ResNetMini(seed).build(); }

}  // namespace kiln
