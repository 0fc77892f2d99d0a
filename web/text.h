// Numbers in sentences, for the texts written from live results (why.cpp, tour.cpp).
#pragma once
#include <string>

// 10^x as text at any depth, two significant digits: "0.38", "2.9e-9", "4.1e-1500"; "exactly 0"
// for -inf, "overflow" for +inf or NaN.
std::string power_text(double log10_value);
// A factor per step 10^x: power_text, but near 1 with the digits that tell it from 1 ("0.985",
// "0.99995").
std::string factor_text(double log10_value);

// printf into a std::string (at most 1023 characters).
std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

struct DecayResult;
struct WhyResult;
struct Results;
namespace gs {
struct MemoryPath;
}

// Three significant digits, the exponent as the plots write it: "5.03e5", "0.495", "2.5e-6".
std::string g3_text(double x);
// The new cells' page (why_memory.cpp): "LRU 0.989 (90.2 steps)", the largest |eigenvalue| of
// J_t over the steps shown and its memory -1/ln r; where a run of the curse of memory's descent
// ended, "after 300 iterations lambda = 0.99 (teacher 0.99), loss 9.6e-11".
std::string eigenvalue_memory_text(const WhyResult& why);
double largest_eigenvalue_modulus(const WhyResult& why);
std::string memory_path_text(const gs::MemoryPath& path, double teacher);
// Every run of the descent that way, "Plain lambda: ...", `between` them.
struct MemoryCurves;
std::string memory_paths_text(const MemoryCurves& curves, const char* between);

// A vanilla RNN's measured decay per step split into what W_hh alone gives (the identity twin:
// the same weights, inputs and seed gradient with no activation) and what the activation's
// derivative adds, then what W_hh's largest singular value and spectral radius say about it
// (core/analyses/attribution.h), e.g. "its gradient loses 0.169 decades per step back. W_hh alone ...".
// The parts printed add up to the total printed. "" where there is no attribution (LSTM, GRU, an
// overflowed forward pass, the why jobs not done).
std::string attribution_text(const DecayResult& decay, const WhyResult& why);

// The slope of a log10 curve over t = 1..T, log10 per step back, measured as the decay's solid
// line is (probe_summary.h): first to last over the steps where it is finite. NaN without two such
// steps. For the LSTM's ||dL/dc_t|| (the decay view's dashed line, 0 at T: the loss reads h_T
// only) and its forget path (the thin line, decay.h).
double log10_per_step_of(const std::vector<double>& log10_curve);
// The LSTM's dashed ||dL/dc_t|| lies within 1.5% of the decay plot's range (every cell's curves)
// of its solid ||dL/dh_t|| (first probe) at every step where both are numbers: two or three
// pixels on the plot, so one hides the other.
bool cell_state_on_solid_line(const Results& results, const DecayResult& lstm);
