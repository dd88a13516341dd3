#include "passes/framework/pass.h"

#include <cmath>

#include "core/util/error.h"

namespace kiln::passes {
namespace {

const char* type_name(OptionType t) {
  switch (t) {
    case OptionType::Bool: return "bool";
    case OptionType::Int: return "int";
    case OptionType::Float: return "float";
    case OptionType::String: return "string";
    case OptionType::Choice: return "choice";
  }
  return "?";
}

Json value_json(const OptionValue& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

std::string fmt_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  return std::to_string(v);
}

}  // namespace

const char* category_name(PassCategory c) {
  switch (c) {
    case PassCategory::Cleanup: return "cleanup";
    case PassCategory::Fusion: return "fusion";
    case PassCategory::Reordering: return "reordering";
    case PassCategory::Layout: return "layout";
  }
  return "?";
}

const OptionValue& Options::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) fail("internal: pass reads undeclared option '", name, "'");
  return it->second;
}

bool Options::get_bool(const std::string& name) const { return std::get<bool>(at(name)); }
int64_t Options::get_int(const std::string& name) const { return std::get<int64_t>(at(name)); }
double Options::get_float(const std::string& name) const { return std::get<double>(at(name)); }
const std::string& Options::get_string(const std::string& name) const { return std::get<std::string>(at(name)); }

Json Options::to_json() const {
  Json j = Json::object();
  for (const auto& [k, v] : values_) j[k] = value_json(v);
  return j;
}

Options PassInfo::parse_options(const Json& given) const {
  if (!given.is_null() && !given.is_object()) fail("pass '", id, "': options must be a JSON object");
  Options o;
  for (const OptionSpec& s : options) o.values_[s.name] = s.default_value;
  if (given.is_null()) return o;
  for (const auto& [key, val] : given.as_object()) {
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : options)
      if (s.name == key) spec = &s;
    if (!spec) {
      std::string known;
      for (const OptionSpec& s : options) known += (known.empty() ? "" : ", ") + s.name;
      fail("pass '", id, "': unknown option '", key, "'", known.empty() ? " (it has none)" : " (it has: " + known + ")");
    }
    const std::string where = "pass '" + id + "': option '" + key + "'";
    switch (spec->type) {
      case OptionType::Bool:
        if (!val.is_bool()) fail(where, " must be true or false");
        o.values_[key] = val.as_bool();
        break;
      case OptionType::Int: {
        if (!val.is_int()) fail(where, " must be an integer");
        const int64_t v = val.as_int();
        if (spec->min <= spec->max && (static_cast<double>(v) < spec->min || static_cast<double>(v) > spec->max))
          fail(where, " is ", std::to_string(v), ", outside [", fmt_number(spec->min), ", ", fmt_number(spec->max), "]");
        o.values_[key] = v;
        break;
      }
      case OptionType::Float: {
        if (!val.is_number()) fail(where, " must be a number");
        const double v = val.as_double();
        if (!std::isfinite(v) || (spec->min <= spec->max && (v < spec->min || v > spec->max)))
          fail(where, " is ", fmt_number(v), ", outside [", fmt_number(spec->min), ", ", fmt_number(spec->max), "]");
        o.values_[key] = v;
        break;
      }
      case OptionType::String:
        if (!val.is_string()) fail(where, " must be a string");
        o.values_[key] = val.as_string();
        break;
      case OptionType::Choice: {
        if (!val.is_string()) fail(where, " must be a string");
        bool ok = false;
        std::string list;
        for (const std::string& c : spec->choices) {
          ok = ok || c == val.as_string();
          list += (list.empty() ? "" : ", ") + c;
        }
        if (!ok) fail(where, " is '", val.as_string(), "', not one of: ", list);
        o.values_[key] = val.as_string();
        break;
      }
    }
  }
  return o;
}

Json PassInfo::to_json() const {
  Json j = Json::object();
  j["id"] = id;
  j["category"] = category_name(category);
  j["summary"] = summary;
  j["description"] = description;
  j["may_emit_kiln_ops"] = may_emit_kiln_ops;
  Json opts = Json::array();
  for (const OptionSpec& s : options) {
    Json o = Json::object();
    o["name"] = s.name;
    o["type"] = type_name(s.type);
    o["summary"] = s.summary;
    o["default"] = value_json(s.default_value);
    if ((s.type == OptionType::Int || s.type == OptionType::Float) && s.min <= s.max) {
      o["min"] = s.min;
      o["max"] = s.max;
    }
    if (s.type == OptionType::Choice) {
      Json c = Json::array();
      for (const std::string& x : s.choices) c.push_back(x);
      o["choices"] = std::move(c);
    }
    opts.push_back(std::move(o));
  }
  j["options"] = std::move(opts);
  Json st = Json::array();
  for (const StatSpec& s : stats) {
    Json o = Json::object();
    o["name"] = s.name;
    o["summary"] = s.summary;
    st.push_back(std::move(o));
  }
  j["stats"] = std::move(st);
  return j;
}

Stats::Stats(const PassInfo& info) : info_(&info) {
  for (const StatSpec& s : info.stats) items_.emplace_back(s.name, 0);
}

void Stats::add(const std::string& name, int64_t n) {
  for (auto& [k, v] : items_)
    if (k == name) {
      v += n;
      return;
    }
  fail("internal: pass '", info_->id, "' bumps undeclared statistic '", name, "'");
}

int64_t Stats::get(const std::string& name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return v;
  return 0;
}

Json Stats::to_json() const {
  Json j = Json::object();
  for (const auto& [k, v] : items_) j[k] = v;
  return j;
}

const PassRegistry& PassRegistry::global() {
  static const PassRegistry registry = [] {
    PassRegistry r;
    register_cleanup_passes(r);
    register_fusion_passes(r);
    register_reordering_passes(r);
    register_layout_passes(r);
    return r;
  }();
  return registry;
}

void PassRegistry::add(PassDef def) {
  if (find(def.info.id)) fail("internal: pass '", def.info.id, "' registered twice");
  defs_.push_back(std::move(def));
}

const PassDef* PassRegistry::find(const std::string& id) const {
  for (const PassDef& d : defs_)
    if (d.info.id == id) return &d;
  return nullptr;
}

}  // namespace kiln::passes
