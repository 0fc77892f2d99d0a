// Numbers in sentences, for the texts written from live results (why.cpp, tour.cpp).
#pragma once
#include <string>

// 10^x as text at any depth, two significant digits: "0.38", "2.9e-9", "4.1e-1500"; "exactly 0"
// for -inf, "overflow" for +inf or NaN.
std::string power_text(double log10_value);

// printf into a std::string (at most 1023 characters).
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

struct DecayResult;
struct WhyResult;

// A vanilla RNN's measured decay per step split into what W_hh alone gives (the identity twin:
// the same weights, inputs and seed gradient with no activation) and what the activation's
// derivative adds, then what W_hh's largest singular value and spectral radius say about it
// (core/attribution.h), e.g. "its gradient loses 0.169 decades per step back. W_hh alone ...".
// The parts printed add up to the total printed. "" where there is no attribution (LSTM, GRU, an
// overflowed forward pass, the why jobs not done).
std::string attribution_text(const DecayResult& decay, const WhyResult& why);

// The slope of the LSTM's ||dL/dc_t|| curve (the decay view's dashed line), log10 per step back,
// measured as the solid one (analysis.h): first to last over the steps where it is not exactly 0
// (dL/dc_T itself is 0: the loss reads h_T only). NaN without two such steps (not an LSTM).
double cell_state_log10_per_step(const DecayResult& decay);
