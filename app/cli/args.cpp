#include "app/cli/args.h"

#include <algorithm>
#include <charconv>

#include "core/util/error.h"

namespace kiln::cli {

Args::Args(const std::string& command, const std::vector<std::string>& argv,
           const std::vector<std::string>& flags, const std::vector<std::string>& options)
    : command_(command) {
  auto is = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::string value;
      bool inline_value = false;
      if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        inline_value = true;
      }
      if (is(flags, a)) {
        if (inline_value) fail("option ", a, " takes no value");
        ++flags_[a];
      } else if (is(options, a)) {
        if (!inline_value) {
          if (i + 1 >= argv.size()) fail("option ", a, " needs a value");
          value = argv[++i];
        }
        values_.emplace(a, value);
      } else {
        fail("unknown option '", a, "' for '", command_, "'");
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto range = values_.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last occurrence wins
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

const std::string& Args::one_positional(const std::string& what) const {
  if (positional_.empty()) fail("missing ", what);
  if (positional_.size() > 1) fail("unexpected argument '", positional_[1], "' (only one ", what, " expected)");
  return positional_[0];
}

std::vector<int64_t> parse_dims(const std::string& text, const std::string& option) {
  std::vector<int64_t> dims;
  size_t start = 0;
  while (true) {
    size_t end = text.find_first_of("x,", start);
    std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    int64_t v = -1;
    auto r = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size() || v < 0)
      fail(option, ": '", text, "' is not a shape like 1x3x224x224");
    dims.push_back(v);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return dims;
}

std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option) {
  auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    fail(option, ": '", text, "' should be NAME=VALUE");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace kiln::cli
