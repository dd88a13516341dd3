#pragma once
// A pass declares itself once: id, summary, description, typed options and named statistics. The
// CLI (`kiln-cli passes`), the recipe parser and the GUI's option forms all read this declaration,
// so an option exists in exactly one place.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/ir/model.h"
#include "core/util/json.h"

namespace kiln::passes {

class Rewriter;

enum class OptionType { Bool, Int, Float, String, Choice };

using OptionValue = std::variant<bool, int64_t, double, std::string>;

struct OptionSpec {
  std::string name;  // snake_case, as written in recipes and on the command line
  OptionType type = OptionType::Bool;
  std::string summary;
  OptionValue default_value;
  double min = 0, max = 0;           // Int/Float: inclusive range, ignored when min > max
  std::vector<std::string> choices;  // Choice
};

// Option values of one pass invocation, checked against the pass's specs: every option has a
// value (given or default), of the declared type, in range.
class Options {
 public:
  bool get_bool(const std::string& name) const;
  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  const std::string& get_string(const std::string& name) const;  // String and Choice

  const std::map<std::string, OptionValue>& values() const { return values_; }
  Json to_json() const;

 private:
  friend class PassInfo;
  const OptionValue& at(const std::string& name) const;
  std::map<std::string, OptionValue> values_;
};

struct StatSpec {
  std::string name;
  std::string summary;
};

enum class PassCategory { Cleanup, Fusion, Reordering, Layout };
const char* category_name(PassCategory c);

struct PassInfo {
  std::string id;  // kebab-case: "fold-constants"
  PassCategory category = PassCategory::Cleanup;
  std::string summary;      // one line
  std::string description;  // a paragraph: what it rewrites, when it refuses
  std::vector<OptionSpec> options;
  std::vector<StatSpec> stats;
  // Whether its output can contain ops outside the standard ONNX domains (Kiln's fused ops).
  bool may_emit_kiln_ops = false;

  // Options from a recipe's / command line's JSON object; unknown names, wrong types and values
  // out of range are errors naming the pass, the option and the reason.
  Options parse_options(const Json& given) const;
  Options default_options() const { return parse_options(Json::object()); }
  Json to_json() const;
};

// Named counters a pass reports ("folded", "fused"); only declared names may be bumped.
class Stats {
 public:
  explicit Stats(const PassInfo& info);
  void add(const std::string& name, int64_t n = 1);
  int64_t get(const std::string& name) const;
  const std::vector<std::pair<std::string, int64_t>>& items() const { return items_; }
  Json to_json() const;

 private:
  const PassInfo* info_;
  std::vector<std::pair<std::string, int64_t>> items_;
};

struct PassContext {
  Model& model;
  Rewriter& rw;
  const Options& options;
  Stats& stats;
};

struct PassDef {
  PassInfo info;
  // Runs once over the model (main graph and subgraphs: see Rewriter::graphs()); mutates only
  // through ctx.rw.
  std::function<void(PassContext&)> run;
};

class PassRegistry {
 public:
  // Every pass Kiln has, registered explicitly per category.
  static const PassRegistry& global();

  void add(PassDef def);
  const PassDef* find(const std::string& id) const;
  const std::vector<PassDef>& all() const { return defs_; }

 private:
  std::vector<PassDef> defs_;
};

// One per category folder (passes/cleanup, passes/fusion, passes/reordering, passes/layout).
void register_cleanup_passes(PassRegistry& r);
void register_fusion_passes(PassRegistry& r);
void register_reordering_passes(PassRegistry& r);
void register_layout_passes(PassRegistry& r);

}  // namespace kiln::passes
