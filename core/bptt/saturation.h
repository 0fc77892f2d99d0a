// Saturation and dead units, step by step: what each backward step multiplies the gradient by,
// unit by unit, before W_hh^T mixes the units.
//
// - Vanilla RNNs: the activation's derivative act'(a_t) per unit (tanh' = 1 - h^2 <= 1,
//   sigmoid' = h (1 - h) <= 1/4, relu' 0 or 1, identity' = 1); for ReLU also the share of units
//   exactly off (h = 0): they pass no gradient at all that step, "dead".
// - LSTM: the gates i, f, o (sigmoid values in (0, 1); f scales the cell path), g's derivative
//   tanh'(a_g) = 1 - g^2, and tanh'(c_t) = 1 - tanh(c_t)^2 (the h path goes through it).
// - GRU: the gates r, z (z scales the keep path) and n's derivative 1 - n^2.
//
// For each, per step t = 1..T, over the H units: the mean and the quartiles (25%, 50%, 75%,
// linear interpolation between order statistics, numpy.percentile's default). Steps from the one
// where the forward pass overflowed on are NaN (number_format.h's "overflow").
#pragma once
#include <vector>

#include "bptt/decay.h"

namespace gs {

struct SaturationSeries {
  const char* name = "";     // CSV column prefix: dtanh, f, dtanh_g, ...
  const char* meaning = "";  // one line for --help and the page
  std::vector<double> mean, q25, median, q75;  // per step t = 1..T
};

struct Saturation {
  std::vector<SaturationSeries> series;  // in the order listed above
  std::vector<double> dead_share;        // rnn-relu: per step, share of units with h = 0
  int overflow_step = 0;
};

template <class T>
Saturation saturation_of(CellKind cell, const ForwardPass<T>& fwd, int column = 0);
Saturation probe_saturation(const Probe& probe);

// The p-quantile (0..1) of sorted values, interpolating linearly (numpy's default).
double quantile_of_sorted(const std::vector<double>& sorted, double p);

}  // namespace gs
