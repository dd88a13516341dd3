// kiln-cli entry point: dispatches to one subcommand per file in app/cli/.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/commands.h"
#include "core/util/error.h"

int main(int argc, char** argv) {
  using namespace kiln::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_usage(stdout);
    return args.empty() ? 2 : 0;
  }
  const Command* cmd = find_command(args[0]);
  if (!cmd) {
    std::fprintf(stderr, "kiln-cli: unknown command '%s' (see kiln-cli --help)\n", args[0].c_str());
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return cmd->run(rest);
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "kiln-cli %s: %s\n", cmd->name, e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "kiln-cli %s: out of memory\n", cmd->name);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiln-cli %s: %s\n", cmd->name, e.what());
    return 1;
  }
}
