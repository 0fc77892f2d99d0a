#include "cell.h"

namespace gs {

void cell_forward(CellKind cell, const Params& p, const Mat& x, const Mat& h_prev,
                  const Mat& c_prev, StepCache& cache, Mat& h, Mat& c) {
  switch (cell) {
    case CellKind::Lstm: lstm_forward(p, x, h_prev, c_prev, cache, h, c); break;
    case CellKind::Gru: gru_forward(p, x, h_prev, cache, h); break;
    default: rnn_forward(cell, p, x, h_prev, cache, h); break;
  }
}

void cell_backward(CellKind cell, const Params& p, const StepCache& cache, const Mat& dh,
                   const Mat& dc, Params* grads, Mat& dh_prev, Mat& dc_prev, Mat* dx) {
  switch (cell) {
    case CellKind::Lstm: lstm_backward(p, cache, dh, dc, grads, dh_prev, dc_prev, dx); break;
    case CellKind::Gru: gru_backward(p, cache, dh, grads, dh_prev, dx); break;
    default: rnn_backward(cell, p, cache, dh, grads, dh_prev, dx); break;
  }
}

}  // namespace gs
