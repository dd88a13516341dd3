// kiln-cli passes: every optimization pass with its summary, options and statistics, read from the
// passes' own declarations (the same ones recipes and the GUI's option forms use).
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/util/error.h"
#include "passes/framework/pass.h"

namespace kiln::cli {
namespace {

std::string option_line(const passes::OptionSpec& o) {
  std::string s = o.name + " (";
  switch (o.type) {
    case passes::OptionType::Bool: s += "bool, default " + std::string(std::get<bool>(o.default_value) ? "true" : "false"); break;
    case passes::OptionType::Int: s += "int, default " + std::to_string(std::get<int64_t>(o.default_value)); break;
    case passes::OptionType::Float: s += "float, default " + Json(std::get<double>(o.default_value)).dump(-1); break;
    case passes::OptionType::String: s += "string, default \"" + std::get<std::string>(o.default_value) + "\""; break;
    case passes::OptionType::Choice: {
      s += "one of";
      for (const std::string& c : o.choices) s += " " + c;
      s += ", default " + std::get<std::string>(o.default_value);
      break;
    }
  }
  if ((o.type == passes::OptionType::Int || o.type == passes::OptionType::Float) && o.min <= o.max)
    s += ", range [" + Json(o.min).dump(-1) + ", " + Json(o.max).dump(-1) + "]";
  return s + "): " + o.summary;
}

}  // namespace

int run_passes(const std::vector<std::string>& argv) {
  Args args("passes", argv, {"--json"}, {});
  if (!args.positional().empty()) fail("passes: unexpected argument '", args.positional().front(), "'");
  const auto& all = passes::PassRegistry::global().all();
  if (args.flag("--json")) {
    Json j = Json::object();
    j["version"] = 1;
    Json list = Json::array();
    for (const passes::PassDef& d : all) list.push_back(d.info.to_json());
    j["passes"] = std::move(list);
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  for (passes::PassCategory cat : {passes::PassCategory::Cleanup, passes::PassCategory::Fusion,
                                   passes::PassCategory::Reordering, passes::PassCategory::Layout}) {
    bool header = false;
    for (const passes::PassDef& d : all) {
      if (d.info.category != cat) continue;
      if (!header) std::printf("%s%s:\n", &d == &all.front() ? "" : "\n", passes::category_name(cat));
      header = true;
      std::printf("  %-34s %s%s\n", d.info.id.c_str(), d.info.summary.c_str(), d.info.may_emit_kiln_ops ? " [kiln ops]" : "");
      for (const passes::OptionSpec& o : d.info.options) std::printf("  %-34s   --%s\n", "", option_line(o).c_str());
    }
  }
  std::printf("\nkiln-cli passes --json gives descriptions, options and statistics in full.\n");
  return 0;
}

}  // namespace kiln::cli
