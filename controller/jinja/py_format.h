// Python's str() and repr() of template data, byte for byte, because a
// template that prints a list, a dict, a bool, None or a float prints what
// Python would: ['a', "it's"], {'k': 1}, True, None, 1.0, 1e+16.
#pragma once

#include <string>
#include <string_view>

#include "controller/jinja/value.h"

namespace sc::controller::jinja {

// repr(float): the shortest text that reads back to the same double, in
// fixed notation for exponents -4..15 and "1e+16" style otherwise.
std::string floatRepr(double value);

// repr(str): single quotes unless the text holds a ' and no ", with
// Python's escapes for backslash, the quote, control and non-printable
// characters.
std::string stringRepr(std::string_view text);

// repr() of data; `shape` says whether a list is a tuple or a list of tuples.
std::string pyRepr(const Data& data, Shape shape = Shape::Plain);

// str() of data: a string is itself, everything else is its repr().
std::string pyStr(const Data& data, Shape shape = Shape::Plain);

}  // namespace sc::controller::jinja
