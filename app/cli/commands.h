#pragma once
// The subcommands of kiln-cli. Each lives in its own cmd_*.cpp and is listed in commands.cpp.
#include <cstdio>
#include <string>
#include <vector>

namespace kiln::cli {

struct Command {
  const char* name;
  const char* usage;    // arguments after the command name
  const char* summary;  // one line
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();
const Command* find_command(const std::string& name);
void print_usage(std::FILE* out);

int run_inspect(const std::vector<std::string>& args);
int run_dump(const std::vector<std::string>& args);
int run_dump_types(const std::vector<std::string>& args);
int run_export(const std::vector<std::string>& args);
int run_devices(const std::vector<std::string>& args);
int run_run(const std::vector<std::string>& args);
int run_passes(const std::vector<std::string>& args);
int run_optimize(const std::vector<std::string>& args);
int run_profile(const std::vector<std::string>& args);
int run_bench(const std::vector<std::string>& args);
int run_compare(const std::vector<std::string>& args);

}  // namespace kiln::cli
