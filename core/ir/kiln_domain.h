#pragma once
// Kiln's own operator domain. Fusion and layout passes of the "kiln" target emit these ops for
// Kiln's kernels; the "portable" target never does. Every op here has a shape-inference rule
// (core/analysis) and a reference kernel (core/runtime/bind), so a model using them runs, is
// checked numerically, and exports as valid ONNX with an opset import for this domain.
#include <string_view>

namespace kiln {

inline constexpr std::string_view kKilnDomain = "ai.kiln";
inline constexpr int kKilnOpsetVersion = 1;

}  // namespace kiln
