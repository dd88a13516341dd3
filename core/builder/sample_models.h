#pragma once
// The sample models bundled with Kiln (generated at build time into <build>/samples/*.onnx by
// kiln-make-samples), built in code so tests can make them in-process. They look like what
// torch.onnx emits: exporter-style node names ("/layer1/layer1.0/conv1/Conv"), value names
// ("/layer1/layer1.0/conv1/Conv_output_0", "onnx::MatMul_301"), Constant nodes for scalars, and
// unfused patterns (BatchNormalization after Conv, LayerNorm and GELU written out in primitives)
// that give the optimization passes something to do. Weights are seeded and deterministic.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/ir/model.h"

namespace kiln {

// ResNet-style CNN: input f32[batch,3,64,64], logits f32[batch,10] (opset 17).
Model make_resnet_mini(uint64_t seed = 1);
// One BERT encoder layer, hidden 256, 4 heads, FFN 1024: inputs hidden_states f32[batch,seq,256]
// and an additive attention_mask f32[batch,1,1,seq]; output f32[batch,seq,256] (opset 14).
Model make_bert_block(uint64_t seed = 1);
// MobileNetV2-style CNN with depthwise convs and ReLU6 as Clip(0, 6) (opset 17).
Model make_mobilenet_mini(uint64_t seed = 1);

struct SampleModel {
  std::string_view name;  // file stem: "resnet_mini" -> resnet_mini.onnx
  Model (*make)(uint64_t seed);
};
std::span<const SampleModel> sample_models();

}  // namespace kiln
