// The weight gradient split by lag (Pascanu, Mikolov & Bengio 2013, eq. 4; RNNbow, Cashman et
// al. 2017). For the probe's loss at the last step, BPTT's recurrent weight gradient is a sum of
// one term per step,
//
//   dL/dW_hh = sum_{t=1..T} dgates_t h_{t-1}^T,
//
// dgates_t = dL/d(W_hh h_{t-1} + b_hh) (G H values: every gate block of W_hh for the LSTM and
// GRU), so the term of step t, lag k = T - t, carries what the loss says about dependencies k
// steps long. Its Frobenius norm is ||dgates_t|| ||h_{t-1}|| (an outer product), and the share of
// lag k is that norm over the sum of every term's norm: the shares sum to 1. A reader sees what
// the update is made of: short lags, however far ||dL/dh_1|| is from zero.
//
// dgates_t comes from decay.h's renormalized backward pass (the carried gradient at unit norm,
// its log10 scale kept apart), so every norm is exact in log10 at any depth, and so are the
// shares: log10 share = log10 norm - log10 sum (log-sum-exp), even for a share of 10^-2000.
// Step 1's term is exactly 0 (h_0 = 0): log10 -inf, share 0.
//
// A cell without W_hh (minGRU, minLSTM) has no recurrent weight gradient: its split is of
// dL/dW_ih = sum_t dgates_t x_t^T, the same question asked of the only weights it has (and step
// 1's term is not 0: x_1 is not).
#pragma once
#include <vector>

#include "bptt/decay.h"

namespace gs {

struct LagSplit {
  std::vector<double> log10_term;  // per step t = 1..T: log10 ||dgates_t h_{t-1}^T||_F (x_t)
  double log10_total = 0;          // log10 sum_t ||dgates_t h_{t-1}^T||_F (x_t)
  int overflow_step = 0;           // the forward pass overflowed: every value is NaN

  int steps() const { return static_cast<int>(log10_term.size()); }
  // log10 of the share of step t (1-based); lag = T - t.
  double log10_share(int t) const { return log10_term[t - 1] - log10_total; }
  // log10 of the share of every lag k > lag (-inf if none or all exactly 0).
  double log10_share_above(int lag) const;
};

// log10 sum 10^x over the values (log-sum-exp; -inf for none or all -inf; NaN if any is NaN).
double log10_sum(const double* values, int count);

// From a finished forward pass of one sequence (batch 1) and dL/dh_T (the seed): one
// renormalized backward pass.
template <class T>
LagSplit lag_split(const ModelT<T>& model, const ForwardPass<T>& fwd, const MatT<T>& seed_grad_h);
LagSplit probe_lag_split(const Probe& probe);

}  // namespace gs
