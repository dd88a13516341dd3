#include "app/cli/profile_args.h"

#include <charconv>
#include <fstream>

#include "core/profile/profiler.h"
#include "core/util/error.h"

namespace kiln::cli {

int64_t parse_int_option(const std::string& text, const std::string& option, int64_t min) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < min)
    fail(option, ": '", text, "' is not an integer >= ", std::to_string(min));
  return v;
}

double parse_double_option(const std::string& text, const std::string& option, double min) {
  double v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !(v >= min))
    fail(option, ": '", text, "' is not a number >= ", Json(min).dump(-1));
  return v;
}

std::vector<int64_t> parse_int_list(const std::string& text, const std::string& option, int64_t min) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(',', start);
    out.push_back(parse_int_option(text.substr(start, end == std::string::npos ? std::string::npos : end - start),
                                   option, min));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::vector<float> parse_float_list(const std::string& text, const std::string& option) {
  std::vector<float> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(',', start);
    std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    float v = 0;
    auto r = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size())
      fail(option, ": '", text, "' is not a comma-separated list of numbers");
    out.push_back(v);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

Backend parse_backend(const std::string& text) {
  Backend b;
  if (text == "ref")
    b = Backend::Ref;
  else if (text == "cpu")
    b = Backend::Cpu;
  else if (text == "cuda")
    b = Backend::Cuda;
  else
    fail("--backend: '", text, "' is not one of ref, cpu, cuda");
  profile::check_backend(b);
  return b;
}

std::map<std::string, std::vector<int64_t>> parse_shapes(const Args& args) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const std::string& s : args.all("--shape")) {
    auto [name, dims] = split_assignment(s, "--shape");
    out[name] = parse_dims(dims, "--shape");
  }
  return out;
}

std::vector<int64_t> read_labels(const std::string& path) {
  std::ifstream f(path);
  if (!f) fail("--labels: cannot open '", path, "'");
  std::vector<int64_t> out;
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto last = line.find_last_not_of(" \t\r");
    std::string text = line.substr(first, last - first + 1);
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 0)
      fail("--labels: ", path, " line ", std::to_string(n), ": '", text, "' is not a class index");
    out.push_back(v);
  }
  if (out.empty()) fail("--labels: ", path, " holds no labels");
  return out;
}

}  // namespace kiln::cli
