// Commands whose subsystems are not built yet. They are listed so the command structure is
// stable for scripts, and refuse clearly instead of pretending to work.
#include <cstdio>

#include "app/cli/commands.h"

namespace kiln::cli {

int run_planned(const std::vector<std::string>&) {
  std::fprintf(stderr,
               "kiln-cli: this command is not available in this version of Kiln yet "
               "(see 'kiln-cli --help' for what is)\n");
  return 2;
}

}  // namespace kiln::cli
