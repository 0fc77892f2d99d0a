// Numbers in sentences, for the texts written from live results (why.cpp, tour.cpp).
#pragma once
#include <string>

// 10^x as text at any depth, two significant digits: "0.38", "2.9e-9", "4.1e-1500"; "exactly 0"
// for -inf, "overflow" for +inf or NaN.
std::string power_text(double log10_value);

// printf into a std::string (at most 1023 characters).
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
