#pragma once
// Option parsing shared by `profile` and `bench`: backend, threads, pinning, shapes and the small
// number and list formats they take. Errors name the option and the bad text.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "core/runtime/kernel.h"

namespace kiln::cli {

int64_t parse_int_option(const std::string& text, const std::string& option, int64_t min);
double parse_double_option(const std::string& text, const std::string& option, double min);
// "1,2,4,8"
std::vector<int64_t> parse_int_list(const std::string& text, const std::string& option, int64_t min);
// "0.485,0.456,0.406"
std::vector<float> parse_float_list(const std::string& text, const std::string& option);
// ref | cpu | cuda; cuda is refused here with the reason (no CUDA kernels yet).
Backend parse_backend(const std::string& text);
// Every --shape NAME=DIMS.
std::map<std::string, std::vector<int64_t>> parse_shapes(const Args& args);
// One integer per line (blank lines and '#' comments skipped).
std::vector<int64_t> read_labels(const std::string& path);

}  // namespace kiln::cli
