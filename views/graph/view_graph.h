#pragma once
// What the graph view draws, derived from a Graph in plain C++ (so it is built and laid out off
// the GUI thread, and tested without Qt): one item per operator, graph input and graph output;
// weights and single-use Constant nodes folded into the node that reads them (as Netron shows
// them); name scopes such as `/encoder/layer.3/attention/` collapsible into one group item; If,
// Loop and Scan bodies expandable in place. The items hold copies of what they show, never
// pointers into the model, so a view stays valid while the document moves on.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ir/graph.h"
#include "views/graph/layered_layout.h"
#include "views/graph/op_category.h"

namespace kiln {

struct ViewItem {
  enum class Kind : uint8_t { Op, Group, Input, Output };
  Kind kind = Kind::Op;
  OpCategory category = OpCategory::Other;
  NodeId node = 0;                     // Op
  std::string title;                   // op type, last scope component, or tensor name
  std::string name;                    // node name, full scope path, or tensor name
  std::vector<std::string> constants;  // "W ⟨64×3×7×7⟩": weights shown inside the node
  std::vector<NodeId> members;         // nodes this item stands for (folded constants, group)
  std::vector<std::string> member_ops;  // Group: "op name" of each member, so search finds them
  int body_depth = 0;                  // 0 in the main graph, 1 inside an If/Loop body, ...
  bool has_body = false;               // an If/Loop/Scan node
  bool body_expanded = false;
  layout::Size size;
};

struct ViewEdge {
  uint32_t from = 0, to = 0;  // item indices
  std::string label;          // the tensor's shape, "1×64×56×56"
};

struct ViewOptions {
  std::set<std::string> collapsed_scopes;  // "/encoder/layer.3"
  std::set<NodeId> expanded_bodies;        // If/Loop/Scan nodes shown with their bodies
  // A graph with more nodes than this (0: never), and no scope collapsed yet, opens with its
  // scopes collapsed at the shallowest level that still shows the structure (at least 8 boxes):
  // a 50,000-node network reads as its blocks, which expand on a double-click.
  size_t auto_collapse_above = 0;
};

struct ViewGraph {
  std::vector<ViewItem> items;
  std::vector<ViewEdge> edges;
  std::unordered_map<NodeId, uint32_t> item_of_node;  // every node, folded or grouped, to its item
  std::vector<std::string> scopes;                    // every scope path in the graph, sorted
  std::set<std::string> collapsed_scopes;             // the scopes drawn collapsed
  int auto_collapsed_depth = 0;                       // the level auto-collapse chose, if it did
  layout::LayoutResult layout;                        // items[i] centred on layout.centers[i]
};

// The scopes a node name sits in, outermost first: "/a/b/MatMul" -> {"/a", "/a/b"}.
std::vector<std::string> scopes_of(const std::string& node_name);
// The nesting depth of a scope path: "/a" is 1, "/a/b" is 2.
int scope_depth(const std::string& scope);
// "1×64×56×56", "?" where the shape is unknown, "" where nothing is known.
std::string shape_label(const ValueType& type);

ViewGraph build_view_graph(const Graph& graph, const ViewOptions& options);
// build_view_graph followed by the layered layout; progress as for layered_layout.
ViewGraph lay_out_view(const Graph& graph, const ViewOptions& options,
                       const layout::LayoutProgress& progress = {});

}  // namespace kiln
