#pragma once
// Lookups the views share over a model and its subgraphs.
#include <string>

#include "core/ir/graph.h"

namespace kiln {

// The node with this id in g or any subgraph nested in it, or nullptr.
const Node* find_node_anywhere(const Graph& g, NodeId id);
// An attribute as a person reads it: "3", "[1, 1, 2, 2]", "tensor f32 ⟨64⟩", "graph (12 nodes)".
std::string attribute_text(const Attribute& a);

}  // namespace kiln
