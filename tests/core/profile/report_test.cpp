#include "core/profile/report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/util/error.h"

namespace kiln::profile {
namespace {

Report sample_report() {
  Report r;
  r.model = "resnet_mini.onnx";
  r.reference = "original.onnx";
  r.backend = "ref";
  r.threads = 2;
  r.card.p50_ms = 12.5;
  r.card.p90_ms = 13.25;
  r.card.p99_ms = 20.0;
  r.card.spread_ms = 1.125;
  r.card.accuracy_measured = true;
  r.card.max_abs_error = 9.5367431640625e-07;
  r.card.min_cosine = 0.9999999999;
  r.card.min_snr_db = 145.875;
  r.card.top1_agreement = 1.0;
  r.card.accuracy_note = "against original.onnx";
  r.card.file_bytes = 187780;
  r.card.weights_bytes = 174828;
  r.card.peak_activation_bytes = 131072;
  r.card.peak_rss_bytes = 11000000;
  r.card.best_batch = 4;
  r.card.inferences_per_s = 81.75;
  r.card.energy_available = false;
  r.card.energy_note = "not available: no RAPL";
  r.sections["latency"] = Json::object();
  r.sections["latency"]["iterations"] = 30;
  return r;
}

TEST(ProfileReport, JsonRoundTripKeepsTheCardAndSections) {
  const Report r = sample_report();
  const Json j = r.to_json();
  ASSERT_TRUE(j.is_object());
  // Version first, the summary card right after the header fields.
  EXPECT_EQ(j.as_object()[0].first, "version");
  EXPECT_EQ(j.find("version")->as_int(), 1);
  EXPECT_EQ(j.as_object()[2].first, "summary");
  for (const char* k : {"latency", "accuracy", "size", "throughput", "energy"})
    EXPECT_NE(j.find("summary")->find(k), nullptr) << k;

  const Report back = Report::from_json(Json::parse(j.dump(2)));
  EXPECT_EQ(back.card, r.card);
  EXPECT_EQ(back.model, r.model);
  EXPECT_EQ(back.reference, r.reference);
  EXPECT_EQ(back.backend, r.backend);
  EXPECT_EQ(back.threads, 2);
  EXPECT_EQ(back.sections.find("latency")->find("iterations")->as_int(), 30);
  EXPECT_EQ(back.to_json().dump(2), j.dump(2));
}

TEST(ProfileReport, MissingValuesStayMissing) {
  Report r;
  r.model = "m.onnx";
  r.backend = "ref";
  const Report back = Report::from_json(Json::parse(r.to_json().dump(-1)));
  EXPECT_FALSE(back.card.p50_ms.has_value());
  EXPECT_FALSE(back.card.best_batch.has_value());
  EXPECT_TRUE(back.reference.empty());
  EXPECT_EQ(back.card, r.card);
}

TEST(ProfileReport, RefusesNewerVersionsAndMalformedCards) {
  Json j = sample_report().to_json();
  j["version"] = 2;
  try {
    Report::from_json(j, "r.json");
    FAIL() << "a newer version must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
  Json bad = sample_report().to_json();
  bad["summary"]["latency"]["p50_ms"] = "fast";
  try {
    Report::from_json(bad, "r.json");
    FAIL() << "a string latency must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p50_ms"), std::string::npos) << e.what();
  }
  Json other = Json::object();
  other["version"] = 1;
  other["kind"] = "kiln-optimize";
  EXPECT_THROW(Report::from_json(other, "r.json"), Error);
}

TEST(ProfileReport, SaveAndLoadAFile) {
  const std::string path = (std::filesystem::temp_directory_path() / "kiln_report_test.json").string();
  sample_report().save(path);
  EXPECT_EQ(Report::load(path).card, sample_report().card);
  std::ofstream(path) << "{not json";
  try {
    Report::load(path);
    FAIL() << "bad JSON must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  EXPECT_THROW(Report::load(path), Error);
}

}  // namespace
}  // namespace kiln::profile
