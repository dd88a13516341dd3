#include "core/util/json.h"

#include <gtest/gtest.h>

#include "core/util/error.h"

namespace kiln {
namespace {

TEST(Json, RoundTripKeepsKeyOrderAndTypes) {
  Json j = Json::object();
  j["version"] = 1;
  j["zeta"] = "z\"q\n";
  j["alpha"] = 2.5;
  j["list"].push_back(Json(true));
  j["list"].push_back(Json());
  std::string text = j.dump(-1);
  EXPECT_EQ(text, "{\"version\":1,\"zeta\":\"z\\\"q\\n\",\"alpha\":2.5,\"list\":[true,null]}");
  Json back = Json::parse(text);
  EXPECT_EQ(back.dump(2), j.dump(2));
  EXPECT_EQ(back["version"].as_int(), 1);
  EXPECT_TRUE(back.find("list")->as_array()[1].is_null());
}

TEST(Json, ParsesUnicodeEscapes) {
  EXPECT_EQ(Json::parse("\"\\u00e9\\ud83d\\ude00\"").as_string(), "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(Json, ErrorsNameLineAndColumn) {
  try {
    Json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Json::parse("[1, 2"), Error);
  EXPECT_THROW(Json::parse("\"open"), Error);
  EXPECT_THROW(Json::parse(std::string(10000, '[')), Error);  // nesting cap, no stack overflow
  EXPECT_THROW(Json::parse("1 2"), Error);
}

}  // namespace
}  // namespace kiln
