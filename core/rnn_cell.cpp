// Vanilla (Elman) RNN, as torch.nn.RNN (tanh, relu) plus sigmoid and identity for teaching:
//
//   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
//   h_t = act(a_t)
//
// Backward, with dh = dL/dh_t:
//   da      = dh * act'(a_t)          act' written from h_t: tanh' = 1 - h^2, sigmoid' = h (1 - h),
//                                     relu' = [h > 0], identity' = 1
//   dW_ih  += da x_t^T     db_ih += sum_batch da
//   dW_hh  += da h_{t-1}^T db_hh += sum_batch da
//   dh_{t-1} = W_hh^T da   (the Jacobian J_t^T = W_hh^T diag(act'(a_t)) whose product vanishes)
#include "cell.h"

namespace gs {

namespace {

void activate(CellKind act, Mat& a) {
  switch (act) {
    case CellKind::RnnTanh: a = a.array().tanh(); break;
    case CellKind::RnnRelu: a = a.array().max(real(0)); break;
    case CellKind::RnnSigmoid: a = sigmoid(a); break;
    default: break;  // identity
  }
}

// act'(a) as a function of h = act(a).
Mat derivative_from_output(CellKind act, const Mat& h) {
  switch (act) {
    case CellKind::RnnTanh: return 1 - h.array().square();
    case CellKind::RnnRelu: return (h.array() > 0).cast<real>();
    case CellKind::RnnSigmoid: return h.array() * (1 - h.array());
    default: return Mat::Ones(h.rows(), h.cols());
  }
}

}  // namespace

void rnn_forward(CellKind act, const Params& p, const Mat& x, const Mat& h_prev, StepCache& cache,
                 Mat& h) {
  Mat a = p.weight_ih * x;               // W_ih x
  a.noalias() += p.weight_hh * h_prev;   // + W_hh h
  a.colwise() += p.bias_ih + p.bias_hh;  // + b_ih + b_hh
  activate(act, a);                      // h = act(a)
  cache.x = x;
  cache.h_prev = h_prev;
  cache.gates = a;
  h = a;
}

void rnn_backward(CellKind act, const Params& p, const StepCache& cache, const Mat& dh,
                  Params* grads, Mat& dh_prev, Mat* dx) {
  const Mat da = dh.array() * derivative_from_output(act, cache.gates).array();  // through act
  if (grads) {
    grads->weight_ih.noalias() += da * cache.x.transpose();
    grads->weight_hh.noalias() += da * cache.h_prev.transpose();
    grads->bias_ih += da.rowwise().sum();
    grads->bias_hh += da.rowwise().sum();
  }
  dh_prev.noalias() = p.weight_hh.transpose() * da;  // back through W_hh
  if (dx) dx->noalias() = p.weight_ih.transpose() * da;
}

}  // namespace gs
