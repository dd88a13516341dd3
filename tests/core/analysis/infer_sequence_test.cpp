// Sequence and optional ops: element types travel through the serialized sequence types.
#include <gtest/gtest.h>

#include "tests/core/analysis/infer_test_util.h"

namespace kiln {
namespace {

using namespace kiln::testing;
using A = Attribute;

TEST(InferSequence, ElementTypesTravelThroughSequences) {
  TestModel t(17);
  Value* a = t.in_f32("a", {S("n"), D(4)});
  Value* b = t.in_f32("b", {D(2), D(4)});
  Value* seq = t.op("SequenceConstruct", {a, b}, "seq");
  Value* pos = t.i64("pos", {0}, true);
  t.op("SequenceAt", {seq, pos}, "first");
  t.op("SequenceLength", {seq}, "len");
  Value* empty = t.op("SequenceEmpty", {}, "empty", {A::make_int("dtype", 7)});
  Value* ins = t.op("SequenceInsert", {empty, t.in("i", DataType::Int64, {D(3)})}, "ins");
  t.op("SequenceAt", {ins, pos}, "ins_at");
  t.op("ConcatFromSequence", {seq}, "joined", {A::make_int("axis", 0)});
  t.op("ConcatFromSequence", {seq}, "stacked", {A::make_int("axis", 1), A::make_int("new_axis", 1)});
  Value* parts = t.op("SplitToSequence", {b}, "parts", {A::make_int("keepdims", 0)});
  t.op("SequenceAt", {parts, pos}, "part");
  t.infer();
  EXPECT_EQ(t.type("seq"), "<non-tensor>");
  EXPECT_EQ(t.type("first"), "f32[?,4]");  // the elements differ in their first dim
  EXPECT_EQ(t.type("len"), "i64[]");
  EXPECT_EQ(t.type("ins_at"), "i64[*]");  // an empty sequence says nothing of shapes
  EXPECT_EQ(t.type("joined"), "f32[?,4]");
  EXPECT_EQ(t.type("stacked"), "f32[?,?,4]");
  EXPECT_EQ(t.type("part"), "f32[4]");
}

TEST(InferSequence, Optionals) {
  TestModel t(18);
  Value* x = t.in_f32("x", {D(3)});
  Value* opt = t.op("Optional", {x}, "opt");
  t.op("OptionalGetElement", {opt}, "got");
  t.op("OptionalHasElement", {opt}, "has");
  t.op("OptionalGetElement", {x}, "plain");
  t.infer();
  EXPECT_EQ(t.type("got"), "f32[3]");
  EXPECT_EQ(t.type("has"), "bool[]");
  EXPECT_EQ(t.type("plain"), "f32[3]");
}

}  // namespace
}  // namespace kiln
