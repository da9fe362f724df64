// Python's str()/repr() of template data: floats, strings, containers.
#include "controller/jinja/py_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sc::controller::jinja {
namespace {

TEST(PyFormatTest, FloatsPrintAsPythonRepr) {
  EXPECT_EQ(floatRepr(1.0), "1.0");
  EXPECT_EQ(floatRepr(0.1), "0.1");
  EXPECT_EQ(floatRepr(1e16), "1e+16");
  EXPECT_EQ(floatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(floatRepr(1.5e-5), "1.5e-05");
  EXPECT_EQ(floatRepr(0.0001), "0.0001");
  EXPECT_EQ(floatRepr(-2.5), "-2.5");
  EXPECT_EQ(floatRepr(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(floatRepr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(floatRepr(INFINITY), "inf");
  EXPECT_EQ(floatRepr(-0.0), "-0.0");
}

TEST(PyFormatTest, StringsQuoteAsPython) {
  EXPECT_EQ(stringRepr("a"), "'a'");
  EXPECT_EQ(stringRepr("it's"), "\"it's\"");
  EXPECT_EQ(stringRepr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(stringRepr("tab\tnl\n\\"), "'tab\\tnl\\n\\\\'");
  EXPECT_EQ(stringRepr("\x01"), "'\\x01'");
  EXPECT_EQ(stringRepr("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(stringRepr("\xc2\xa0"), "'\\xa0'");
}

TEST(PyFormatTest, ContainersPrintAsPython) {
  const Data d = Data::parse(R"({"a": [1, 2.5, true, null, "x"], "b": {}})");
  EXPECT_EQ(pyRepr(d), "{'a': [1, 2.5, True, None, 'x'], 'b': {}}");
  EXPECT_EQ(pyRepr(Data::array({1, 2}), Shape::Tuple), "(1, 2)");
  EXPECT_EQ(pyRepr(Data::array({1}), Shape::Tuple), "(1,)");
  EXPECT_EQ(pyRepr(Data::array({Data::array({"a", 1})}), Shape::ListOfTuples), "[('a', 1)]");
  EXPECT_EQ(pyStr(Data("text")), "text");
  EXPECT_EQ(pyStr(Data(nullptr)), "None");
}

}  // namespace
}  // namespace sc::controller::jinja
