#pragma once
// Names as torch.onnx gives them: a node is "<scope>/<Op>", then "<scope>/<Op>_1", ... for the
// next node of the same op in the same scope; its output is "<node name>_output_0".
#include <algorithm>
#include <map>
#include <string>
#include <string_view>

namespace kiln::samples {

class ExporterNames {
 public:
  // The scope of a module path: one level per module, a numbered child (a Sequential's entry)
  // shown with its parent's name: "layer1.0.conv1" -> "/layer1/layer1.0/conv1",
  // "features.1.conv.0.0" -> "/features/features.1/conv/conv.0/conv.0.0".
  static std::string scope_of(std::string_view module) {
    std::string scope, shown;
    size_t start = 0;
    while (start <= module.size()) {
      size_t dot = std::min(module.find('.', start), module.size());
      std::string_view part = module.substr(start, dot - start);
      bool numeric = !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
      if (numeric) shown.append(".").append(part);
      else shown.assign(part);
      scope.append("/").append(shown);
      start = dot + 1;
    }
    return scope;
  }

  std::string node(const std::string& scope, const std::string& op) {
    int& count = counts_[scope + "/" + op];
    std::string name = scope + "/" + op;
    if (count > 0) name.append("_").append(std::to_string(count));
    ++count;
    return name;
  }

 private:
  std::map<std::string, int> counts_;
};

}  // namespace kiln::samples
