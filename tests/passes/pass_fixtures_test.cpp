// Golden before/after fixtures for every pass, found by globbing tests/data/passes/<pass-id>/.
//
// A fixture is the text form of a model before the pass and, for cases that change the graph,
// after it:
//
//   # options: {"max_bytes": 64}        (optional; the pass's options as JSON)
//   --- before
//   model ...
//   --- after                           (omitted for dont_* cases: the pass must change nothing)
//   model ...
//
// Each case also runs both models on seeded random inputs on the reference runtime and requires
// equal outputs (rtol 1e-4, atol 1e-5), unless the first line says "# numeric: skip (reason)".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/analysis/shape_inference.h"
#include "core/ir/text_format.h"
#include "core/util/error.h"
#include "passes/framework/pass_manager.h"

namespace kiln::passes {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  fs::path path;
  std::string pass;
  Json options = Json::object();
  bool numeric = true;
  std::string before, after;  // after empty: expect no change
};

Fixture read_fixture(const fs::path& p) {
  Fixture f;
  f.path = p;
  f.pass = p.parent_path().filename().string();
  std::ifstream in(p);
  std::string line;
  std::string* section = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("# options:", 0) == 0) {
      f.options = Json::parse(line.substr(10));
    } else if (line.rfind("# numeric: skip", 0) == 0) {
      f.numeric = false;
    } else if (line == "--- before") {
      section = &f.before;
    } else if (line == "--- after") {
      section = &f.after;
    } else if (section) {
      *section += line + "\n";
    }
  }
  return f;
}

std::vector<fs::path> fixture_files() {
  std::vector<fs::path> out;
  fs::path root = fs::path(KILN_TEST_DATA_DIR) / "passes";
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".txt") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string canonical(const Model& m) {
  PrintOptions po;
  po.max_inline_elements = 1 << 20;
  return print_model(m, po);
}

class PassFixture : public ::testing::TestWithParam<fs::path> {};

TEST_P(PassFixture, MatchesGoldenAndKeepsOutputs) {
  const Fixture f = read_fixture(GetParam());
  ASSERT_FALSE(f.before.empty()) << f.path << ": no '--- before' section";
  const PassDef* def = PassRegistry::global().find(f.pass);
  ASSERT_NE(def, nullptr) << f.path << ": folder names no pass";

  Model model = parse_model_text(f.before);
  // The manager infers shapes before a pass; the unchanged model is compared with the original
  // after the same inference, so a dont_* case need not spell out every inferred type.
  Model original = model.clone();
  infer_shapes(original);
  ManagerOptions mo;
  mo.verify_numerics = f.numeric;
  PassManager pm(mo);
  StepReport r = pm.apply(model, *def, def->info.parse_options(f.options));

  const bool negative = f.path.filename().string().rfind("dont_", 0) == 0;
  if (negative || f.after.empty()) {
    EXPECT_FALSE(r.changed) << f.path << ": the pass changed a graph it must leave alone:\n" << canonical(model);
    EXPECT_EQ(canonical(model), canonical(original));
  } else {
    EXPECT_TRUE(r.changed) << f.path;
    EXPECT_EQ(canonical(model), canonical(parse_model_text(f.after))) << f.path;
  }
  if (f.numeric && r.changed) {
    EXPECT_TRUE(r.numeric.ran) << f.path << ": " << r.numeric.detail;
    EXPECT_TRUE(r.numeric.passed) << f.path << ": " << r.numeric.detail;
  }
}

std::string case_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string s = info.param.parent_path().filename().string() + "_" + info.param.stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Golden, PassFixture, ::testing::ValuesIn(fixture_files()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PassFixture);

}  // namespace
}  // namespace kiln::passes
