#pragma once
// The Profile panel's charts, each built from a profile report (or the step history) as a new
// QChart the caller's QChartView takes. A report lacking a section gives a chart that says why
// it is empty rather than a blank frame.
#include <QString>
#include <vector>

#include "core/ir/graph.h"
#include "core/profile/report.h"
#include "core/profile/step_history.h"

class QChart;

namespace kiln::profile_charts {

// Mean time per inference of each op type, slowest first (at most max_bars).
QChart* op_types(const profile::Report& report, int max_bars);
// The n slowest nodes by median time, slowest on top; *ids receives their node ids, bar index order.
QChart* top_nodes(const profile::Report& report, int n, std::vector<NodeId>* ids);
// Histogram of the end-to-end run times.
QChart* distribution(const profile::Report& report, int bins);
// Throughput and p50 latency against batch size.
QChart* batch_sweep(const profile::Report& report);
// Weights (by dtype) against the activation peak of the memory plan and the measured peak RSS.
QChart* memory(const profile::Report& report);
// After each applied step: latency and activation memory against the original (percent) and
// the largest output error.
QChart* step_timeline(const profile::StepHistory& history);

// The report's per-op-type groups / top-level node times (empty when not measured).
int op_type_count(const profile::Report& report);
int profiled_node_count(const profile::Report& report);

QString format_bytes(double bytes);

}  // namespace kiln::profile_charts
