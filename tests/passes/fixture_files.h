#pragma once
// Reading the golden pass fixtures (tests/data/passes/<pass-id>/*.txt, format in
// pass_fixtures_test.cpp) from tests that run them in other ways than the golden harness.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::passes::testing {

// The text of a fixture's "--- before" section.
inline std::string fixture_before(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text = text.substr(text.find("--- before\n") + 11);
  return text.substr(0, text.find("--- after"));
}

// Every fixture of the given passes, sorted; dont_* cases only when asked.
template <class Ids>
std::vector<std::filesystem::path> fixture_files(const Ids& pass_ids, bool with_dont_cases) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  for (const char* id : pass_ids) {
    const fs::path dir = fs::path(KILN_TEST_DATA_DIR) / "passes" / id;
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".txt" && (with_dont_cases || e.path().filename().string().rfind("dont_", 0) != 0))
        out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kiln::passes::testing
