#include "views/profile/profile_charts.h"

#include <QSet>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QHorizontalBarSeries>
#include <QtCharts/QBarSeries>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>

namespace kiln::profile_charts {
namespace {

const Json* path(const Json& root, std::initializer_list<std::string_view> keys) {
  const Json* j = &root;
  for (std::string_view k : keys) {
    if (!j->is_object()) return nullptr;
    j = j->find(k);
    if (!j) return nullptr;
  }
  return j;
}

const Json::Array* array_at(const Json& root, std::initializer_list<std::string_view> keys) {
  const Json* j = path(root, keys);
  return j && j->is_array() ? &j->as_array() : nullptr;
}

double number(const Json& j, std::string_view key, double fallback = 0) {
  const Json* v = j.is_object() ? j.find(key) : nullptr;
  return v && v->is_number() ? v->as_double() : fallback;
}

QString text(const Json& j, std::string_view key) {
  const Json* v = j.is_object() ? j.find(key) : nullptr;
  return v && v->is_string() ? QString::fromStdString(v->as_string()) : QString();
}

QChart* new_chart(const QString& title) {
  auto* c = new QChart;
  c->setTitle(title);
  c->setMargins(QMargins(4, 4, 4, 4));
  c->setBackgroundRoundness(0);
  c->legend()->hide();
  return c;
}

QChart* empty_chart(const QString& title, const QString& why) { return new_chart(title + QStringLiteral(" — ") + why); }

QValueAxis* value_axis(const QString& title, double max) {
  auto* a = new QValueAxis;
  a->setTitleText(title);
  a->setRange(0, max > 0 ? max * 1.08 : 1);
  a->applyNiceNumbers();
  return a;
}

// A horizontal bar chart, first entry on top.
QChart* horizontal_bars(const QString& title, const QStringList& labels, const QList<qreal>& values,
                        const QString& unit) {
  QChart* c = new_chart(title);
  auto* set = new QBarSet(unit);
  QStringList cats;
  // Qt draws the first category at the bottom; reversed, the slowest is on top.
  for (qsizetype i = values.size() - 1; i >= 0; --i) {
    *set << values[i];
    cats << labels[i];
  }
  set->setColor(QColor(0xd9, 0x5f, 0x0e));
  auto* series = new QHorizontalBarSeries;
  series->append(set);
  series->setBarWidth(0.7);
  c->addSeries(series);
  auto* y = new QBarCategoryAxis;
  y->append(cats);
  auto* x = value_axis(unit, values.isEmpty() ? 0 : *std::max_element(values.begin(), values.end()));
  c->addAxis(y, Qt::AlignLeft);
  c->addAxis(x, Qt::AlignBottom);
  series->attachAxis(y);
  series->attachAxis(x);
  return c;
}

}  // namespace

QString format_bytes(double b) {
  if (b >= 1024.0 * 1024 * 1024) return QStringLiteral("%1 GiB").arg(b / (1024.0 * 1024 * 1024), 0, 'f', 2);
  if (b >= 1024.0 * 1024) return QStringLiteral("%1 MiB").arg(b / (1024.0 * 1024), 0, 'f', 2);
  if (b >= 1024.0) return QStringLiteral("%1 KiB").arg(b / 1024.0, 0, 'f', 1);
  return QStringLiteral("%1 B").arg(b, 0, 'f', 0);
}

int op_type_count(const profile::Report& r) {
  const Json::Array* a = array_at(r.sections, {"latency", "per_node", "by_op"});
  return a ? static_cast<int>(a->size()) : 0;
}

int profiled_node_count(const profile::Report& r) {
  const Json::Array* a = array_at(r.sections, {"latency", "per_node", "nodes"});
  return a ? static_cast<int>(a->size()) : 0;
}

QChart* op_types(const profile::Report& r, int max_bars) {
  const QString title = QObject::tr("Time per op type (mean per inference)");
  const Json::Array* groups = array_at(r.sections, {"latency", "per_node", "by_op"});
  if (!groups || groups->empty()) return empty_chart(title, QObject::tr("per-node times not measured"));
  QStringList labels;
  QList<qreal> values;
  for (const Json& g : *groups) {  // the report lists them slowest first
    if (static_cast<int>(labels.size()) == max_bars) break;
    labels << QStringLiteral("%1 (%2)").arg(text(g, "op")).arg(static_cast<qint64>(number(g, "nodes")));
    values << number(g, "ms");
  }
  return horizontal_bars(title, labels, values, QObject::tr("ms"));
}

QChart* top_nodes(const profile::Report& r, int n, std::vector<NodeId>* ids) {
  // By median: a run preempted on a busy machine moves a node's mean, not its median.
  const QString title = QObject::tr("Slowest nodes, median per inference (click one to select it)");
  ids->clear();
  const Json::Array* nodes = array_at(r.sections, {"latency", "per_node", "nodes"});
  if (!nodes || nodes->empty()) return empty_chart(title, QObject::tr("per-node times not measured"));
  std::vector<const Json*> order;
  for (const Json& node : *nodes) order.push_back(&node);
  std::stable_sort(order.begin(), order.end(),
                   [](const Json* a, const Json* b) { return number(*a, "p50_ms") > number(*b, "p50_ms"); });
  if (static_cast<int>(order.size()) > n) order.resize(static_cast<size_t>(n));
  QStringList labels;
  QList<qreal> values;
  for (const Json* node : order) {
    QString name = text(*node, "name");
    if (name.size() > 28) name = QStringLiteral("…") + name.right(27);  // scopes make the tail telling
    // The rank keeps labels unique: a category axis merges equal labels and drops their bars.
    labels << QStringLiteral("%1. %2 %3")
                  .arg(labels.size() + 1)
                  .arg(text(*node, "op").section(QStringLiteral("::"), -1),
                       name.isEmpty() ? QStringLiteral("#%1").arg(number(*node, "id")) : name);
    values << number(*node, "p50_ms");
    ids->push_back(static_cast<NodeId>(number(*node, "id")));
  }
  // Bars are drawn bottom-up from the last entry; the ids follow the bar set's index order.
  std::reverse(ids->begin(), ids->end());
  return horizontal_bars(title, labels, values, QObject::tr("ms"));
}

QChart* distribution(const profile::Report& r, int bins) {
  const QString title = QObject::tr("End-to-end latency distribution");
  const Json::Array* runs = array_at(r.sections, {"latency", "runs_ms"});
  if (!runs || runs->empty()) return empty_chart(title, QObject::tr("no timed runs"));
  std::vector<double> v;
  for (const Json& x : *runs) v.push_back(x.as_double());
  const Json& e2e = *path(r.sections, {"latency", "end_to_end"});
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  // A preempted run on a busy machine can take ten times the median; binned linearly up to it,
  // every other run lands in the first bin. Runs beyond p90 + 3 spreads share the last bin.
  const double lo = *lo_it;
  const double cap = number(e2e, "p90") + 3 * std::max(number(e2e, "spread"), 0.05 * number(e2e, "p50"));
  const double hi = std::min(*hi_it, std::max(cap, lo));
  const auto outliers = std::count_if(v.begin(), v.end(), [&](double x) { return x > hi; });
  const double width = hi > lo ? (hi - lo) / bins : 1.0;
  std::vector<int> counts(static_cast<size_t>(bins), 0);
  for (double x : v) counts[static_cast<size_t>(std::clamp(static_cast<int>((x - lo) / width), 0, bins - 1))]++;
  QChart* c = new_chart(QObject::tr("%1 (%2 runs; p50 %3 ms, spread %4 ms%5)")
                            .arg(title)
                            .arg(v.size())
                            .arg(number(e2e, "p50"), 0, 'f', 3)
                            .arg(number(e2e, "spread"), 0, 'f', 3)
                            .arg(outliers ? QObject::tr("; %1 over %2 ms in the last bin").arg(outliers).arg(hi, 0, 'f', 3)
                                          : QString()));
  auto* set = new QBarSet(QObject::tr("runs"));
  set->setColor(QColor(0x31, 0x82, 0xbd));
  int most = 0;
  for (int i = 0; i < bins; ++i) {
    *set << counts[static_cast<size_t>(i)];
    most = std::max(most, counts[static_cast<size_t>(i)]);
  }
  // Bin centres with as many digits as it takes to tell them apart: a category axis merges
  // equal labels and would drop bins.
  QStringList cats;
  for (int digits = 2; digits <= 9; ++digits) {
    cats.clear();
    for (int i = 0; i < bins; ++i) cats << QString::number(lo + (i + 0.5) * width, 'g', digits);
    if (QSet<QString>(cats.begin(), cats.end()).size() == cats.size()) break;
  }
  auto* series = new QBarSeries;
  series->append(set);
  series->setBarWidth(0.95);
  c->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(cats);
  x->setTitleText(QObject::tr("ms (bin centre)"));
  x->setLabelsAngle(-90);
  auto* y = value_axis(QObject::tr("runs"), most);
  y->setLabelFormat(QStringLiteral("%d"));
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  return c;
}

QChart* batch_sweep(const profile::Report& r) {
  const QString title = QObject::tr("Throughput and latency against batch size");
  const Json::Array* points = array_at(r.sections, {"throughput", "points"});
  if (!points || points->empty()) {
    const Json* note = path(r.sections, {"throughput", "note"});
    return empty_chart(title, note && note->is_string() ? QString::fromStdString(note->as_string())
                                                        : QObject::tr("no batch sweep"));
  }
  auto* ips = new QLineSeries;
  ips->setName(QObject::tr("inferences/s"));
  auto* p50 = new QLineSeries;
  p50->setName(QObject::tr("p50 latency, ms"));
  double max_batch = 1, max_ips = 0, max_ms = 0;
  for (const Json& p : *points) {
    const Json* ran = p.find("ran");
    if (!ran || !ran->as_bool()) continue;
    const double b = number(p, "batch");
    const double ms = p.find("latency_ms") ? number(*p.find("latency_ms"), "p50") : 0;
    ips->append(b, number(p, "inferences_per_s"));
    p50->append(b, ms);
    max_batch = std::max(max_batch, b);
    max_ips = std::max(max_ips, number(p, "inferences_per_s"));
    max_ms = std::max(max_ms, ms);
  }
  const Json* best = path(r.sections, {"throughput", "best_batch"});
  QChart* c = new_chart(best && best->is_number() ? QObject::tr("%1 (best batch %2)").arg(title).arg(best->as_int()) : title);
  c->legend()->show();
  c->legend()->setAlignment(Qt::AlignBottom);
  c->addSeries(ips);
  c->addSeries(p50);
  ips->setPointsVisible(true);
  p50->setPointsVisible(true);
  auto* x = new QValueAxis;
  x->setTitleText(QObject::tr("batch"));
  x->setRange(0, max_batch + 1);
  x->setLabelFormat(QStringLiteral("%d"));
  x->setTickCount(std::min(10, static_cast<int>(max_batch) + 2));
  auto* y1 = value_axis(QObject::tr("inferences/s"), max_ips);
  auto* y2 = value_axis(QObject::tr("ms"), max_ms);
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y1, Qt::AlignLeft);
  c->addAxis(y2, Qt::AlignRight);
  ips->attachAxis(x);
  ips->attachAxis(y1);
  p50->attachAxis(x);
  p50->attachAxis(y2);
  return c;
}

QChart* memory(const profile::Report& r) {
  const QString title = QObject::tr("Memory");
  const Json* mem = path(r.sections, {"memory"});
  if (!mem || !mem->is_object()) return empty_chart(title, QObject::tr("not measured"));
  QStringList labels;
  QList<qreal> values;
  if (const Json* by = mem->find("weights_by_dtype"); by && by->is_object())
    for (const auto& [dtype, e] : by->as_object()) {
      labels << QObject::tr("weights %1").arg(QString::fromStdString(dtype));
      values << number(e, "bytes") / (1024.0 * 1024.0);
    }
  if (labels.isEmpty()) {
    labels << QObject::tr("weights");
    values << number(*mem, "weights_bytes") / (1024.0 * 1024.0);
  }
  if (const Json* a = mem->find("peak_activation_bytes"); a && a->is_number()) {
    labels << QObject::tr("activations (plan peak)");
    values << a->as_double() / (1024.0 * 1024.0);
  }
  if (const Json* f = mem->find("file_bytes"); f && f->is_number()) {
    labels << QObject::tr("file on disk");
    values << f->as_double() / (1024.0 * 1024.0);
  }
  QString t = QObject::tr("%1: weights %2, activations %3")
                  .arg(title, format_bytes(number(*mem, "weights_bytes")),
                       mem->find("peak_activation_bytes") && mem->find("peak_activation_bytes")->is_number()
                           ? format_bytes(number(*mem, "peak_activation_bytes"))
                           : QObject::tr("dynamic"));
  if (const Json* rss = mem->find("peak_rss_bytes"); rss && rss->is_number())
    t += QObject::tr("; process peak RSS %1").arg(format_bytes(rss->as_double()));
  return horizontal_bars(t, labels, values, QObject::tr("MiB"));
}

QChart* step_timeline(const profile::StepHistory& h) {
  const QString title = QObject::tr("After each step: p50 latency and memory in % of the original, output error");
  if (h.rows.size() < 2) return empty_chart(title, QObject::tr("apply a step and profile again"));
  // A step's latency change smaller than the runs' own spread is noise, not the step's doing.
  double noise_pct = 0;
  for (const profile::StepRow& row : h.rows)
    if (row.p50_ms && row.spread_ms && *row.p50_ms > 0) noise_pct = std::max(noise_pct, 100.0 * *row.spread_ms / *row.p50_ms);
  QChart* c = new_chart(noise_pct > 0 ? QObject::tr("%1<br><small>latency moves within ±%2% are within the runs' spread</small>")
                                            .arg(title)
                                            .arg(noise_pct, 0, 'f', 0)
                                      : title);
  c->legend()->show();
  c->legend()->setAlignment(Qt::AlignBottom);
  auto* latency = new QLineSeries;
  latency->setName(QObject::tr("latency %"));
  auto* activations = new QLineSeries;
  activations->setName(QObject::tr("activations %"));
  auto* weights = new QLineSeries;
  weights->setName(QObject::tr("weights %"));
  auto* error = new QLineSeries;
  error->setName(QObject::tr("max abs error"));
  const profile::StepRow& base = h.rows.front();
  auto pct = [](std::optional<double> v, std::optional<double> b) {
    return v && b && *b > 0 ? 100.0 * (*v - *b) / *b : 0.0;
  };
  auto as_double = [](std::optional<int64_t> v) { return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt; };
  QStringList cats;
  double lo = 0, hi = 0, max_err = 0;
  for (size_t i = 0; i < h.rows.size(); ++i) {
    const profile::StepRow& row = h.rows[i];
    const double x = static_cast<double>(i);
    const double l = row.latency_change_pct.value_or(0.0);
    const double a = pct(as_double(row.peak_activation_bytes), as_double(base.peak_activation_bytes));
    const double w = pct(as_double(row.weights_bytes), as_double(base.weights_bytes));
    latency->append(x, l);
    activations->append(x, a);
    weights->append(x, w);
    error->append(x, row.max_abs_error.value_or(0.0));
    lo = std::min({lo, l, a, w});
    hi = std::max({hi, l, a, w});
    max_err = std::max(max_err, row.max_abs_error.value_or(0.0));
    QString name = QString::fromStdString(row.name);
    if (name.size() > 22) name = name.left(21) + QStringLiteral("…");
    cats << (i == 0 ? name : QStringLiteral("%1 %2").arg(i).arg(name));
  }
  for (QLineSeries* s : {latency, activations, weights, error}) {
    s->setPointsVisible(true);
    c->addSeries(s);
  }
  auto* x = new QBarCategoryAxis;
  x->append(cats);
  x->setLabelsAngle(-45);
  auto* y = new QValueAxis;
  y->setTitleText(QObject::tr("% vs original"));
  const double pad = std::max(5.0, (hi - lo) * 0.1);
  y->setRange(lo - pad, hi + pad);
  y->applyNiceNumbers();
  auto* y_err = new QValueAxis;
  y_err->setTitleText(QObject::tr("max abs error"));
  y_err->setRange(0, max_err > 0 ? max_err * 1.1 : 1e-6);
  y_err->setLabelFormat(QStringLiteral("%.1e"));
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  c->addAxis(y_err, Qt::AlignRight);
  for (QLineSeries* s : {latency, activations, weights, error}) {
    s->attachAxis(x);
    s->attachAxis(s == error ? y_err : y);
  }
  return c;
}

}  // namespace kiln::profile_charts
