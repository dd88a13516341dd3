#include "core/profile/report.h"

#include <fstream>
#include <iterator>

#include "core/util/error.h"

namespace kiln::profile {
namespace {

template <class T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json();
}

const Json& field(const Json& obj, const char* key, const std::string& where) {
  const Json* v = obj.find(key);
  if (!v) fail(where, ": missing field '", key, "'");
  return *v;
}

std::optional<double> read_double(const Json& obj, const char* key, const std::string& where) {
  const Json& v = field(obj, key, where);
  if (v.is_null()) return std::nullopt;
  if (!v.is_number()) fail(where, ".", key, ": expected a number or null");
  return v.as_double();
}

std::optional<int64_t> read_int(const Json& obj, const char* key, const std::string& where) {
  const Json& v = field(obj, key, where);
  if (v.is_null()) return std::nullopt;
  if (!v.is_int()) fail(where, ".", key, ": expected an integer or null");
  return v.as_int();
}

bool read_bool(const Json& obj, const char* key, const std::string& where) {
  const Json& v = field(obj, key, where);
  if (!v.is_bool()) fail(where, ".", key, ": expected true or false");
  return v.as_bool();
}

std::string read_string(const Json& obj, const char* key, const std::string& where) {
  const Json* v = obj.find(key);
  if (!v || v->is_null()) return "";
  if (!v->is_string()) fail(where, ".", key, ": expected a string");
  return v->as_string();
}

const Json& section(const Json& obj, const char* key, const std::string& where) {
  const Json& v = field(obj, key, where);
  if (!v.is_object()) fail(where, ".", key, ": expected an object");
  return v;
}

}  // namespace

Json SummaryCard::to_json() const {
  Json j = Json::object();
  Json l = Json::object();
  l["p50_ms"] = opt(p50_ms);
  l["p90_ms"] = opt(p90_ms);
  l["p99_ms"] = opt(p99_ms);
  l["spread_ms"] = opt(spread_ms);
  j["latency"] = std::move(l);
  Json a = Json::object();
  a["measured"] = accuracy_measured;
  a["max_abs_error"] = opt(max_abs_error);
  a["min_cosine"] = opt(min_cosine);
  a["min_snr_db"] = opt(min_snr_db);
  a["top1_agreement"] = opt(top1_agreement);
  a["note"] = accuracy_note;
  j["accuracy"] = std::move(a);
  Json s = Json::object();
  s["file_bytes"] = opt(file_bytes);
  s["weights_bytes"] = opt(weights_bytes);
  s["peak_activation_bytes"] = opt(peak_activation_bytes);
  s["peak_rss_bytes"] = opt(peak_rss_bytes);
  j["size"] = std::move(s);
  Json t = Json::object();
  t["best_batch"] = opt(best_batch);
  t["inferences_per_s"] = opt(inferences_per_s);
  j["throughput"] = std::move(t);
  Json e = Json::object();
  e["available"] = energy_available;
  e["joules_per_inference"] = opt(joules_per_inference);
  e["note"] = energy_note;
  j["energy"] = std::move(e);
  return j;
}

SummaryCard SummaryCard::from_json(const Json& j) {
  const std::string w = "summary";
  if (!j.is_object()) fail(w, ": expected an object");
  SummaryCard c;
  const Json& l = section(j, "latency", w);
  c.p50_ms = read_double(l, "p50_ms", w + ".latency");
  c.p90_ms = read_double(l, "p90_ms", w + ".latency");
  c.p99_ms = read_double(l, "p99_ms", w + ".latency");
  c.spread_ms = read_double(l, "spread_ms", w + ".latency");
  const Json& a = section(j, "accuracy", w);
  c.accuracy_measured = read_bool(a, "measured", w + ".accuracy");
  c.max_abs_error = read_double(a, "max_abs_error", w + ".accuracy");
  c.min_cosine = read_double(a, "min_cosine", w + ".accuracy");
  c.min_snr_db = read_double(a, "min_snr_db", w + ".accuracy");
  c.top1_agreement = read_double(a, "top1_agreement", w + ".accuracy");
  c.accuracy_note = read_string(a, "note", w + ".accuracy");
  const Json& s = section(j, "size", w);
  c.file_bytes = read_int(s, "file_bytes", w + ".size");
  c.weights_bytes = read_int(s, "weights_bytes", w + ".size");
  c.peak_activation_bytes = read_int(s, "peak_activation_bytes", w + ".size");
  c.peak_rss_bytes = read_int(s, "peak_rss_bytes", w + ".size");
  const Json& t = section(j, "throughput", w);
  c.best_batch = read_int(t, "best_batch", w + ".throughput");
  c.inferences_per_s = read_double(t, "inferences_per_s", w + ".throughput");
  const Json& e = section(j, "energy", w);
  c.energy_available = read_bool(e, "available", w + ".energy");
  c.joules_per_inference = read_double(e, "joules_per_inference", w + ".energy");
  c.energy_note = read_string(e, "note", w + ".energy");
  return c;
}

Json Report::to_json() const {
  Json j = Json::object();
  j["version"] = kVersion;
  j["kind"] = "kiln-profile";
  j["summary"] = card.to_json();
  j["model"] = model;
  j["reference"] = reference.empty() ? Json() : Json(reference);
  j["backend"] = backend;
  j["threads"] = threads;
  for (const auto& [k, v] : sections.as_object()) j[k] = v;
  return j;
}

Report Report::from_json(const Json& j, const std::string& source) {
  if (!j.is_object()) fail(source, ": a report is a JSON object");
  const Json* v = j.find("version");
  if (!v || !v->is_int()) fail(source, ": no integer \"version\" field (not a Kiln profile report?)");
  if (v->as_int() > kVersion)
    fail(source, ": report version ", std::to_string(v->as_int()), " is newer than this Kiln reads (",
         std::to_string(kVersion), ")");
  if (v->as_int() < 1) fail(source, ": report version ", std::to_string(v->as_int()), " is not valid");
  const Json* kind = j.find("kind");
  if (!kind || !kind->is_string() || kind->as_string() != "kiln-profile")
    fail(source, ": \"kind\" is not \"kiln-profile\" (not a Kiln profile report?)");
  Report r;
  try {
    r.card = SummaryCard::from_json(field(j, "summary", source));
  } catch (const Error& e) {
    fail(source, ": ", e.what());
  }
  r.model = read_string(j, "model", source);
  r.reference = read_string(j, "reference", source);
  r.backend = read_string(j, "backend", source);
  if (const Json* t = j.find("threads"); t && t->is_int()) r.threads = static_cast<int>(t->as_int());
  static const char* kHeader[] = {"version", "kind", "summary", "model", "reference", "backend", "threads"};
  for (const auto& [k, val] : j.as_object()) {
    bool header = false;
    for (const char* h : kHeader) header = header || k == h;
    if (!header) r.sections[k] = val;
  }
  return r;
}

Report Report::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, ": cannot open the report");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Error& e) {
    fail(path, ": not valid JSON (", e.what(), ")");
  }
  return from_json(j, path);
}

void Report::save(const std::string& path) const {
  std::ofstream f(path, std::ios::binary);
  if (!f) fail(path, ": cannot write the report");
  f << to_json().dump(2) << "\n";
  if (!f) fail(path, ": writing the report failed");
}

}  // namespace kiln::profile
