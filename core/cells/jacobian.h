// The step Jacobian J_t = ds_t/ds_{t-1} of every cell, read off a forward pass's caches: the
// matrix whose product over steps decides how the gradient decays (its transpose is what BPTT
// multiplies by, one step back). The state s_t is h_t for the RNNs and the GRU (size H) and
// (h_t, c_t) stacked, h first, for the LSTM (size 2H): the LSTM carries its gradient on both.
//
// Every cell's J_t has one shape, with W_g the g-th H x H block of W_hh (G blocks: RNN 1,
// LSTM i f g o, GRU r z n; none for the minimal cells, whose J_t is diag(d_hh)) and per-unit
// coefficient vectors taken from the caches:
//
//   J_t = [ sum_g diag(a_g) W_g + diag(d_hh)   diag(d_hc) ]   the second column and row only
//         [ sum_g diag(b_g) W_g                diag(d_cc) ]   for the LSTM (c_t, c_{t-1})
//
// except the LRU's, whose h is complex, [Re h; Im h] (N units, H = 2N), and whose J_t multiplies
// each unit by lambda_j = p_j + i q_j: [diag(p) -diag(q); diag(q) diag(p)] (d_hh and rotation).
//
// so J_t is formed explicitly (jacobian_matrix, for spectra of every singular value) or applied
// to a block of vectors without forming it (jacobian_times: one (G H x H)(H x k) product, the
// same work as k forward steps; jacobian_transpose_times: as k backward steps).
//
// Everything here is in double whatever the probe's precision: the caches of a float32 pass
// widen exactly, so J_t is the Jacobian of the float32 forward pass that ran, to float64's
// rounding. The spectra and products built from it (spectrum.h) are then as exact as float64
// allows at any precision, and cost little next to the forward pass (see spectrum.h).
#pragma once
#include "bptt/sequence.h"

namespace gs {

// The size of the state s_t: H, or 2 H for the LSTM.
int state_size(CellKind cell, int hidden);

// The coefficients of J_t for one step, in double (shapes in the comment above).
struct StepJacobian {
  CellKind cell = CellKind::RnnTanh;
  int hidden = 0;
  Mat a;     // (H, G) h rows: coefficient of W_g in dh_t/dh_{t-1}
  Vec d_hh;  // (H)    h rows: diagonal part of dh_t/dh_{t-1} (GRU z, minGRU 1 - z, minLSTM f';
             //        otherwise 0)
  Mat b;     // (H, G) LSTM c rows: coefficient of W_g in dc_t/dh_{t-1}
  Vec d_hc;  // (H)    LSTM: dh_t/dc_{t-1} = diag(o (1 - tanh(c_t)^2) f)
  Vec d_cc;  // (H)    LSTM: dc_t/dc_{t-1} = diag(f)
  Vec rotation;  // (N) LRU: Im lambda, in J_t's off-diagonal blocks [0 -diag; diag 0] (d_hh
                 //     holds Re lambda twice); empty for every other cell
};

// The coefficients of J_t, t = 1..T (the step that made s_t from s_{t-1}), for batch column
// `column` of the pass (a probe has one). The cell's equations and their derivatives are written
// out beside the code in jacobian.cpp.
template <class T>
void step_jacobian(CellKind cell, const ForwardPass<T>& fwd, int t, StepJacobian& jac,
                   int column = 0);

// J_t as an explicit (n x n) matrix, n = state_size. w_hh: the model's W_hh in double.
void jacobian_matrix(const Mat& w_hh, const StepJacobian& jac, Mat& out);
// y = J_t x for x (n x k), without forming J_t. scratch: reused between calls.
void jacobian_times(const Mat& w_hh, const StepJacobian& jac, const Mat& x, Mat& y,
                    Mat& scratch);
// x = J_t^T y for y (n x k): what BPTT does to k gradients at once.
void jacobian_transpose_times(const Mat& w_hh, const StepJacobian& jac, const Mat& y, Mat& x,
                              Mat& scratch);

}  // namespace gs
