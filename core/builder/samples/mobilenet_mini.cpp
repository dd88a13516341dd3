// mobilenet_mini: a torchvision-style MobileNetV2 cut down to 64x64 inputs: inverted residual
// blocks (1x1 expand, 3x3 depthwise with group == channels, 1x1 linear project), unfused
// BatchNormalization, ReLU6 exported as Clip with Constant min/max inputs, one residual Add,
// GlobalAveragePool, Flatten, Gemm.
#include <cmath>

#include "core/builder/model_builder.h"
#include "core/builder/sample_models.h"
#include "core/builder/samples/exporter_names.h"

namespace kiln {

namespace {

class MobileNetMini {
 public:
  explicit MobileNetMini(uint64_t seed) : b_("main_graph", 17, seed) {}

  Model build() {
    Model& m = b_.model();
    m.producer_name = "kiln-samples";
    m.producer_version = "0.1";
    Value* x = b_.input("input", DataType::Float32, {Dim::symbolic("batch"), Dim::known(3), Dim::known(64), Dim::known(64)});
    x = conv_bn_act("features.0", x, 3, 16, 3, 2, 1, true);
    x = inverted_residual(1, x, 16, 8, 1, 1);
    x = inverted_residual(2, x, 8, 16, 2, 4);
    x = inverted_residual(3, x, 16, 16, 1, 4);
    x = conv_bn_act("features.4", x, 16, 64, 1, 1, 1, true);
    x = b_.op("GlobalAveragePool", {x}, {}, names_.node("", "GlobalAveragePool"));
    x = b_.op("Flatten", {x}, {attr::i("axis", 1)}, names_.node("", "Flatten"));
    Value* w = b_.random_init("classifier.1.weight", {10, 64}, 1.f / std::sqrt(64.f));
    Value* bias = b_.random_init("classifier.1.bias", {10}, 0.05f);
    Node* fc = b_.node("Gemm", {x, w, bias}, {"logits"},
                       {attr::f("alpha", 1.f), attr::f("beta", 1.f), attr::i("transB", 1)},
                       names_.node("/classifier/classifier.1", "Gemm"));
    b_.output(fc->output(0), DataType::Float32, {Dim::symbolic("batch"), Dim::known(10)});
    return b_.take();
  }

 private:
  static std::string scope_of(const std::string& module) { return samples::ExporterNames::scope_of(module); }

  // Conv (no bias) -> BatchNormalization -> optional ReLU6, as torchvision's Conv2dNormActivation
  // with submodules <module>.0, <module>.1 and <module>.2.
  Value* conv_bn_act(const std::string& module, Value* x, int64_t cin, int64_t cout, int64_t k, int64_t stride,
                     int64_t group, bool act) {
    const int64_t pad = (k - 1) / 2;
    const std::string conv = module + ".0", bn = module + ".1", relu = module + ".2";
    float he = std::sqrt(2.f / static_cast<float>(cin / group * k * k));
    Value* w = b_.random_init(conv + ".weight", {cout, cin / group, k, k}, he);
    Value* y = b_.conv(x, w, nullptr, {k, k}, {stride, stride}, {pad, pad, pad, pad}, group,
                       names_.node(scope_of(conv), "Conv"));
    y = batchnorm(bn, y, cout);
    return act ? relu6(scope_of(relu), y) : y;
  }

  Value* batchnorm(const std::string& module, Value* x, int64_t c) {
    auto gamma = ModelBuilder::random_normal(b_.seed(), module + ".weight", static_cast<size_t>(c), 0.1f);
    for (float& g : gamma) g += 1.f;
    Value* scale = b_.init(module + ".weight", DataType::Float32, {c}, gamma);
    Value* beta = b_.random_init(module + ".bias", {c}, 0.1f);
    Value* mean = b_.random_init(module + ".running_mean", {c}, 0.1f);
    Value* var = b_.random_uniform_init(module + ".running_var", {c}, 0.5f, 1.5f);
    return b_.batchnorm(x, scale, beta, mean, var, 1e-5f, names_.node(scope_of(module), "BatchNormalization"));
  }

  Value* relu6(const std::string& scope, Value* x) {
    Value* lo = b_.constant_scalar(0.f, names_.node(scope, "Constant"));
    Value* hi = b_.constant_scalar(6.f, names_.node(scope, "Constant"));
    return b_.op("Clip", {x, lo, hi}, {}, names_.node(scope, "Clip"));
  }

  Value* inverted_residual(int index, Value* x, int64_t cin, int64_t cout, int64_t stride, int64_t expand) {
    const std::string block = "features." + std::to_string(index);
    const int64_t hidden = cin * expand;
    Value* y = x;
    int part = 0;
    auto sub = [&] { return block + ".conv." + std::to_string(part++); };
    if (expand != 1) y = conv_bn_act(sub(), y, cin, hidden, 1, 1, 1, true);
    y = conv_bn_act(sub(), y, hidden, hidden, 3, stride, hidden, true);
    // The linear projection: a bare Conv then a bare BatchNormalization, no activation.
    const std::string proj = sub();
    Value* w = b_.random_init(proj + ".weight", {cout, hidden, 1, 1}, std::sqrt(1.f / static_cast<float>(hidden)));
    y = b_.conv(y, w, nullptr, {1, 1}, {1, 1}, {0, 0, 0, 0}, 1, names_.node(scope_of(proj), "Conv"));
    y = batchnorm(sub(), y, cout);
    if (stride == 1 && cin == cout) y = b_.op("Add", {x, y}, {}, names_.node(scope_of(block), "Add"));
    return y;
  }

  ModelBuilder b_;
  samples::ExporterNames names_;
};

}  // namespace

Model make_mobilenet_mini(uint64_t seed) { return MobileNetMini(seed).build(); }

std::span<const SampleModel> sample_models() {
  static const SampleModel kSamples[] = {
      {"resnet_mini", &make_resnet_mini},
      {"bert_block", &make_bert_block},
      {"mobilenet_mini", &make_mobilenet_mini},
  };
  return kSamples;
}

}  // namespace kiln
