#pragma once
// A readable, stable text form of a model (`kiln-cli dump`), used for golden fixtures of passes.
// Stable means: the same graph always prints the same text (attributes sorted by name, numbers in
// shortest round-trip form, nodes in graph order, large tensors summarised by count and a content
// hash), and node ids are printed only when asked, so fixtures don't depend on id allocation.
#include <string>
#include <string_view>

#include "core/ir/model.h"

namespace kiln {

struct PrintOptions {
  bool show_ids = false;         // "#12" and provenance "<-{3,4}" after each node
  bool show_doc_strings = false;
  // Tensors with at most this many elements print their values; larger ones print a summary.
  int64_t max_inline_elements = 16;
};

std::string print_model(const Model& model, const PrintOptions& options = {});
std::string print_graph(const Graph& graph, const PrintOptions& options = {});

// Parses the text form back into a model (tensor values must be inline; summarised tensors are
// rejected with an error naming the line). Throws kiln::Error "line N: reason".
Model parse_model_text(std::string_view text);

}  // namespace kiln
