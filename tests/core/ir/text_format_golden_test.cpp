// Golden fixtures: tests/data/golden/<sample>.txt is the text form (default PrintOptions, so weights
// are summarised by count and hash) of the sample model <sample> as the builder makes it. A change to
// the printer, the builder or a sample shows up here as a readable diff. To accept a change, run
// with KILN_UPDATE_GOLDEN=1 and review the diff of the rewritten files; to add a fixture, create
// an empty <sample>.txt first.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/builder/sample_models.h"
#include "core/ir/text_format.h"

namespace kiln {
namespace {

const std::filesystem::path kGoldenDir = std::filesystem::path(KILN_TEST_DATA_DIR) / "golden";

bool updating() {
  const char* v = std::getenv("KILN_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

const SampleModel* find_sample(std::string_view name) {
  for (const SampleModel& s : sample_models())
    if (s.name == name) return &s;
  return nullptr;
}

TEST(TextFormatGolden, SampleModelsMatchTheirFixtures) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kGoldenDir)) {
    if (entry.path().extension() != ".txt") continue;
    const std::string stem = entry.path().stem().string();
    const SampleModel* sample = find_sample(stem);
    ASSERT_NE(sample, nullptr) << entry.path() << " names no sample model";
    const std::string actual = print_model(sample->make(1));
    if (updating()) {
      std::ofstream(entry.path(), std::ios::binary) << actual;
      ++checked;
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(actual, expected.str()) << entry.path() << " differs; rerun with KILN_UPDATE_GOLDEN=1 to accept";
    ++checked;
  }
  EXPECT_GE(checked, 2) << "no golden fixtures found in " << kGoldenDir;
}

}  // namespace
}  // namespace kiln
