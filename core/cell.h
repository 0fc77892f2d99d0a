// One time step of a recurrent cell, forward and backward, for every cell kind. Each kind's
// equations and code live in its own file (rnn_cell.cpp, lstm_cell.cpp, gru_cell.cpp), forward
// and backward side by side; this header is the single dispatch on the kind.
//
// Shapes: x (I, B), h and c (H, B); a batch is the columns. Backward takes the upstream
// gradients dh = dL/dh_t and dc = dL/dc_t (LSTM only), accumulates parameter gradients with +=
// into `grads` (skipped if null) and writes dL/dh_{t-1}, dL/dc_{t-1} and, if asked, dL/dx_t.
#pragma once
#include "config.h"
#include "params.h"

namespace gs {

// The logistic function, elementwise (LSTM and GRU gates, the sigmoid RNN).
inline Mat sigmoid(const Mat& a) { return (1 + (-a.array()).exp()).inverse(); }

// What backward needs from one forward step; fields unused by a kind stay empty.
struct StepCache {
  Mat x;       // (I, B) input at this step
  Mat h_prev;  // (H, B) h_{t-1}
  Mat c_prev;  // (H, B) LSTM: c_{t-1}
  Mat gates;   // (G*H, B) gate values after their nonlinearity (RNN: h_t itself)
  Mat c;       // (H, B) LSTM: c_t
  Mat aux;     // (H, B) LSTM: tanh(c_t); GRU: W_hn h_{t-1} + b_hn
};

void cell_forward(CellKind cell, const Params& p, const Mat& x, const Mat& h_prev,
                  const Mat& c_prev, StepCache& cache, Mat& h, Mat& c);

void cell_backward(CellKind cell, const Params& p, const StepCache& cache, const Mat& dh,
                   const Mat& dc, Params* grads, Mat& dh_prev, Mat& dc_prev, Mat* dx);

// The per-kind implementations behind the dispatch.
void rnn_forward(CellKind act, const Params& p, const Mat& x, const Mat& h_prev, StepCache& cache,
                 Mat& h);
void rnn_backward(CellKind act, const Params& p, const StepCache& cache, const Mat& dh,
                  Params* grads, Mat& dh_prev, Mat* dx);
void lstm_forward(const Params& p, const Mat& x, const Mat& h_prev, const Mat& c_prev,
                  StepCache& cache, Mat& h, Mat& c);
void lstm_backward(const Params& p, const StepCache& cache, const Mat& dh, const Mat& dc,
                   Params* grads, Mat& dh_prev, Mat& dc_prev, Mat* dx);
void gru_forward(const Params& p, const Mat& x, const Mat& h_prev, StepCache& cache, Mat& h);
void gru_backward(const Params& p, const StepCache& cache, const Mat& dh, Params* grads,
                  Mat& dh_prev, Mat* dx);

}  // namespace gs
