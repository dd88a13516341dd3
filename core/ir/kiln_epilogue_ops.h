#pragma once
// Kiln's fused-epilogue and attention ops (domain ai.kiln, version 1). The passes in
// passes/fusion/epilogue/ emit them; shape rules are in core/analysis/infer_kiln_epilogue.cpp and
// reference kernels in core/runtime/bind/kiln_epilogue.cpp.
//
// FusedConv(X, W, B?, Z?) -> Y
//   Conv's attributes (auto_pad, dilations, group, kernel_shape, pads, strides), `activation` and
//   `activation_params`. Y = act(Conv(X, W, B) + Z). Z (a ResNet block's residual) broadcasts to
//   the Conv output without changing its shape.
// FusedGemm(A, B, C?) -> Y
//   Gemm's attributes (alpha, beta, transA, transB) and the activation. Y = act(Gemm(A, B, C)).
// FusedMatMul(A, B, bias?, Z?) -> Y
//   numpy MatMul (any rank) and the activation; bias is 1-D [N] added along the last axis, Z a
//   residual that broadcasts with the product both ways, as the Add it replaces did (so a
//   transformer's residual fuses even where a dim's size is unknown before run time).
//   Y = act(A·B + bias + Z).
//   The residual goes in before the activation, as in FusedConv (and ONNX Runtime's FusedConv).
//   A transformer's residual Add follows the output projection's bias and precedes LayerNorm with
//   no activation in between, so there act is empty; a block that activates first
//   (x + act(x·W + b)) keeps its residual Add outside.
// Attention(Q, K, V, mask?) -> Y
//   softmax(scale · Q·Kᵀ + mask) · V over the last two axes, softmax over the last.
//   `scale` (float, default 1); `k_transposed` (int, default 0: K is [..., Sk, D]; 1: K is given
//   as [..., D, Sk], as exporters pre-transpose it); `num_heads` (int, default 0: Q, K, V are per
//   head already, their batch dims broadcasting as MatMul's; H > 0: Q is [B, Sq, H·D], K is
//   [B, Sk, H·D], V is [B, Sk, H·Dv], split into H heads inside, and Y is merged back to
//   [B, Sq, H·Dv]; k_transposed must then be 0). mask is additive and broadcasts with the scores
//   [..., Sq, Sk] ([B, H, Sq, Sk] with num_heads) both ways, as the Add it replaces did.
//
// Activations: `activation` (string) names one of the table below, `activation_params` (floats)
// gives its parameters in the listed order, all of them.
#include <cstddef>
#include <string_view>

namespace kiln {

enum class KilnActivation { None, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Silu, Gelu, GeluTanh };

struct KilnActivationInfo {
  KilnActivation kind;
  std::string_view name;
  size_t param_count;
};

inline constexpr KilnActivationInfo kKilnActivations[] = {
    {KilnActivation::None, "", 0},
    {KilnActivation::Relu, "Relu", 0},
    {KilnActivation::LeakyRelu, "LeakyRelu", 1},      // alpha
    {KilnActivation::Clip, "Clip", 2},                // min, max
    {KilnActivation::Sigmoid, "Sigmoid", 0},
    {KilnActivation::HardSigmoid, "HardSigmoid", 2},  // alpha, beta: clamp(alpha·x + beta, 0, 1)
    {KilnActivation::HardSwish, "HardSwish", 0},      // x · clamp(x/6 + 1/2, 0, 1)
    {KilnActivation::Tanh, "Tanh", 0},
    {KilnActivation::Silu, "Silu", 0},                // x · sigmoid(x)
    {KilnActivation::Gelu, "Gelu", 0},                // x · Φ(x), the erf form
    {KilnActivation::GeluTanh, "GeluTanh", 0},        // Gelu's tanh approximation
};

// The activation called `name`, or nullptr.
inline const KilnActivationInfo* find_kiln_activation(std::string_view name) {
  for (const KilnActivationInfo& a : kKilnActivations)
    if (a.name == name) return &a;
  return nullptr;
}

inline const KilnActivationInfo& kiln_activation_info(KilnActivation kind) {
  for (const KilnActivationInfo& a : kKilnActivations)
    if (a.kind == kind) return a;
  return kKilnActivations[0];
}

}  // namespace kiln
