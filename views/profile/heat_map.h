#pragma once
// Per-node heat values for GraphView::set_heat from a profile report: a node's median time, or the
// largest error of the tensors it produces against the reference, scaled to [0, 1]. Keys are the
// profiled snapshot's node ids.
#include <unordered_map>

#include "core/ir/graph.h"
#include "core/profile/report.h"

namespace kiln {

enum class HeatMode { Off, Latency, Error };

std::unordered_map<NodeId, float> heat_values(const profile::Report& report, HeatMode mode);

}  // namespace kiln
