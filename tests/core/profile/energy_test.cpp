#include "core/profile/energy.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace kiln::profile {
namespace {

namespace fs = std::filesystem;

// A fake powercap tree: one package domain with a sub-domain that must not be double counted.
// Its folder is named after the test, because ctest runs the tests of this file in parallel
// processes that would otherwise rewrite each other's counters.
fs::path fake_powercap(uint64_t energy_uj) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path root = fs::temp_directory_path() /
                  ("kiln_fake_powercap_" + std::string(test->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "intel-rapl:0");
  fs::create_directories(root / "intel-rapl:0:0");
  std::ofstream(root / "intel-rapl:0" / "energy_uj") << energy_uj << "\n";
  std::ofstream(root / "intel-rapl:0" / "max_energy_range_uj") << 10000 << "\n";
  std::ofstream(root / "intel-rapl:0" / "name") << "package-0\n";
  std::ofstream(root / "intel-rapl:0:0" / "energy_uj") << 5 << "\n";
  return root;
}

TEST(ProfileEnergy, ReadsPackageCountersAndHandlesWrap) {
  fs::path root = fake_powercap(9000);
  RaplCounters c(root.string());
  ASSERT_TRUE(c.ok()) << c.reason();
  EXPECT_EQ(c.read(), std::vector<uint64_t>{9000});
  EXPECT_NE(c.source().find("package-0"), std::string::npos);
  EXPECT_DOUBLE_EQ(c.joules_between({9000}, {9500}), 500e-6);
  EXPECT_DOUBLE_EQ(c.joules_between({9000}, {1000}), 2000e-6);  // wrapped at 10000
  fs::remove_all(root);
}

TEST(ProfileEnergy, MeasuresOverAWindowWithFakeCounters) {
  fs::path root = fake_powercap(100);
  int runs = 0;
  EnergyResult r = measure_energy([&] { ++runs; }, 0.0, Backend::Ref, root.string());
  ASSERT_TRUE(r.available) << r.reason;
  EXPECT_EQ(r.iterations, runs);
  EXPECT_GE(runs, 1);
  EXPECT_DOUBLE_EQ(r.joules, 0.0);  // the fake counter does not move
  fs::remove_all(root);
}

TEST(ProfileEnergy, NotAvailableSaysWhy) {
  EnergyResult none = measure_energy([] {}, 0.0, Backend::Ref, "/nonexistent/powercap");
  EXPECT_FALSE(none.available);
  EXPECT_NE(none.reason.find("/nonexistent/powercap"), std::string::npos) << none.reason;
  EXPECT_EQ(none.to_json().find("joules_per_inference"), nullptr);  // no made-up figure
  EnergyResult gpu = measure_energy([] {}, 0.0, Backend::Cuda);
  EXPECT_FALSE(gpu.available);
  EXPECT_NE(gpu.reason.find("NVML"), std::string::npos);
}

}  // namespace
}  // namespace kiln::profile
