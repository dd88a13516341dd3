// kiln-cli compare: two profile reports side by side, one row per quality with the change and
// whether it is better or worse for B.
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/profile/compare.h"
#include "core/profile/report.h"
#include "core/util/error.h"

namespace kiln::cli {

int run_compare(const std::vector<std::string>& argv) {
  Args args("compare", argv, {"--json"}, {});
  const auto& pos = args.positional();
  if (pos.size() != 2)
    fail("expected two reports (A.json B.json), got ", std::to_string(pos.size()), " argument",
         pos.size() == 1 ? "" : "s");
  const profile::Report a = profile::Report::load(pos[0]);
  const profile::Report b = profile::Report::load(pos[1]);
  const auto rows = profile::compare_reports(a, b);
  if (args.flag("--json"))
    std::printf("%s\n", profile::compare_to_json(rows, pos[0], pos[1]).dump(2).c_str());
  else
    std::printf("%s", profile::delta_table(rows, pos[0] + " (" + a.model + ")", pos[1] + " (" + b.model + ")").c_str());
  return 0;
}

}  // namespace kiln::cli
