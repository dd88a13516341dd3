#pragma once
// A strict argument parser: every option must be declared; anything unknown, missing a value or
// malformed is an error that names the option, so a typo never silently changes what runs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln::cli {

class Args {
 public:
  // flags: options without a value ("--json"); options: options taking a value ("-o", "--shape");
  // repeatable options collect every occurrence.
  Args(const std::string& command, const std::vector<std::string>& argv,
       const std::vector<std::string>& flags, const std::vector<std::string>& options);

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // The single positional argument named `what`; error if there is not exactly one.
  const std::string& one_positional(const std::string& what) const;

 private:
  std::string command_;
  std::map<std::string, int> flags_;
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// "1x3x224x224" -> {1,3,224,224}; error naming the text otherwise.
std::vector<int64_t> parse_dims(const std::string& text, const std::string& option);
// "NAME=VALUE" -> {NAME, VALUE}; error naming the option otherwise.
std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option);

}  // namespace kiln::cli
