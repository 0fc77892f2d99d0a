// LSTM (Hochreiter & Schmidhuber 1997, with forget gate), as torch.nn.LSTM; gates stacked i f g o:
//
//   [a_i a_f a_g a_o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
//   i = sigma(a_i)  f = sigma(a_f)  g = tanh(a_g)  o = sigma(a_o)
//   c_t = f * c_{t-1} + i * g
//   h_t = o * tanh(c_t)
//
// Backward, with dh = dL/dh_t and dc = dL/dc_t arriving from step t+1:
//   dc_t    = dc + dh * o * (1 - tanh(c_t)^2)     all the gradient that reaches c_t
//   dc_{t-1} = dc_t * f                            the additive path: no squashing derivative,
//                                                 only the forget gate, so it can carry the
//                                                 gradient over many steps when f ~ 1
//   da_i = dc_t g i(1-i)   da_f = dc_t c_{t-1} f(1-f)   da_g = dc_t i (1-g^2)
//   da_o = dh tanh(c_t) o(1-o)
//   dh_{t-1} = W_hh^T da   dW_ih += da x^T   dW_hh += da h_{t-1}^T   db += sum_batch da
#include "cell.h"

namespace gs {

void lstm_forward(const Params& p, const Mat& x, const Mat& h_prev, const Mat& c_prev,
                  StepCache& cache, Mat& h, Mat& c) {
  const Eigen::Index H = h_prev.rows();
  Mat a = p.weight_ih * x;  // (4H, B) pre-activations
  a.noalias() += p.weight_hh * h_prev;
  a.colwise() += p.bias_ih + p.bias_hh;
  Mat& gates = cache.gates;
  gates.resize(a.rows(), a.cols());
  gates.topRows(2 * H) = sigmoid(a.topRows(2 * H));                    // i, f
  gates.middleRows(2 * H, H) = a.middleRows(2 * H, H).array().tanh();  // g
  gates.bottomRows(H) = sigmoid(a.bottomRows(H));                      // o
  const auto i = gates.middleRows(0, H).array();
  const auto f = gates.middleRows(H, H).array();
  const auto g = gates.middleRows(2 * H, H).array();
  const auto o = gates.middleRows(3 * H, H).array();
  c = f * c_prev.array() + i * g;  // c = f c_prev + i g
  cache.aux = c.array().tanh();    // tanh(c)
  h = o * cache.aux.array();       // h = o tanh(c)
  cache.x = x;
  cache.h_prev = h_prev;
  cache.c_prev = c_prev;
  cache.c = c;
}

void lstm_backward(const Params& p, const StepCache& cache, const Mat& dh, const Mat& dc,
                   Params* grads, Mat& dh_prev, Mat& dc_prev, Mat* dx) {
  const Eigen::Index H = dh.rows();
  const auto i = cache.gates.middleRows(0, H).array();
  const auto f = cache.gates.middleRows(H, H).array();
  const auto g = cache.gates.middleRows(2 * H, H).array();
  const auto o = cache.gates.middleRows(3 * H, H).array();
  const auto tanh_c = cache.aux.array();

  const Mat dc_total = dc.array() + dh.array() * o * (1 - tanh_c.square());  // into c_t
  Mat da(4 * H, dh.cols());
  da.middleRows(0, H) = dc_total.array() * g * i * (1 - i);                     // input gate
  da.middleRows(H, H) = dc_total.array() * cache.c_prev.array() * f * (1 - f);  // forget gate
  da.middleRows(2 * H, H) = dc_total.array() * i * (1 - g.square());            // candidate
  da.middleRows(3 * H, H) = dh.array() * tanh_c * o * (1 - o);                  // output gate
  dc_prev = dc_total.array() * f;                                               // additive path

  if (grads) {
    grads->weight_ih.noalias() += da * cache.x.transpose();
    grads->weight_hh.noalias() += da * cache.h_prev.transpose();
    grads->bias_ih += da.rowwise().sum();
    grads->bias_hh += da.rowwise().sum();
  }
  dh_prev.noalias() = p.weight_hh.transpose() * da;
  if (dx) dx->noalias() = p.weight_ih.transpose() * da;
}

}  // namespace gs
