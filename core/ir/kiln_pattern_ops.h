#pragma once
// Kiln's activation and normalisation ops (domain ai.kiln, version 1). The pattern-recognition
// passes in passes/fusion/patterns/ emit them; shape rules are in
// core/analysis/infer_kiln_patterns.cpp and reference kernels in core/runtime/bind/kiln_patterns.cpp.
//
// HardSwish(X) -> Y, Gelu(X) -> Y, LayerNormalization(X, Scale, B?) -> (Y, Mean?, InvStdDev?),
// RMSNormalization(X, scale) -> Y
//   The ONNX ops of the same name (HardSwish-14, Gelu-20, LayerNormalization-17,
//   RMSNormalization-23), attributes included, for models whose ONNX opset predates them. They
//   share the ONNX shape rule and kernel.
// Silu(X) -> Y
//   Y = X · sigmoid(X) (SiLU, also called Swish); float types.
// SkipLayerNormalization(input, skip, gamma, beta?, bias?) -> (Y, sum?)
//   `epsilon` (float, default 1e-5). sum = input + bias + skip, where input is [..., H], skip
//   broadcasts into input's shape without changing it, and gamma, beta and bias hold H values
//   each; Y = LayerNormalization(sum) over the last axis, times gamma, plus beta. The optional
//   second output is sum itself, for graphs that read the residual again. ONNX Runtime's
//   com.microsoft op of this name without its mean and inverse-deviation outputs.
#include <string_view>

namespace kiln::pattern_ops {

inline constexpr std::string_view kSilu = "Silu";
inline constexpr std::string_view kSkipLayerNormalization = "SkipLayerNormalization";

// The ai.kiln ops that are their ONNX namesakes, with the ONNX opset that introduced each.
struct OnnxNamesake {
  std::string_view op;
  int onnx_opset;
};
inline constexpr OnnxNamesake kOnnxNamesakes[] = {
    {"HardSwish", 14}, {"Gelu", 20}, {"LayerNormalization", 17}, {"RMSNormalization", 23}};

}  // namespace kiln::pattern_ops
