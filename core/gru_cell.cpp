// GRU (Cho et al. 2014), as torch.nn.GRU; gates stacked r z n:
//
//   [gi_r gi_z gi_n] = W_ih x_t + b_ih        [gh_r gh_z gh_n] = W_hh h_{t-1} + b_hh
//   r = sigma(gi_r + gh_r)   z = sigma(gi_z + gh_z)
//   n = tanh(gi_n + r * gh_n)
//   h_t = (1 - z) * n + z * h_{t-1}
//
// Backward, with dh = dL/dh_t:
//   dh_{t-1} gets dh * z directly: the update gate's "keep" path, where the gradient is scaled
//   by z only (no squashing derivative), which is how the GRU holds on to it when z ~ 1;
//   dn = dh (1 - z)   dz = dh (h_{t-1} - n)   da_n = dn (1 - n^2)   dr = da_n gh_n
//   dgi = [dr r(1-r), dz z(1-z), da_n]        dgh = [dr r(1-r), dz z(1-z), da_n r]
//   dh_{t-1} += W_hh^T dgh   dW_ih += dgi x^T   dW_hh += dgh h_{t-1}^T
#include "cell.h"

namespace gs {

void gru_forward(const Params& p, const Mat& x, const Mat& h_prev, StepCache& cache, Mat& h) {
  const Eigen::Index H = h_prev.rows();
  Mat gi = p.weight_ih * x;  // (3H, B)
  gi.colwise() += p.bias_ih;
  Mat gh = p.weight_hh * h_prev;  // (3H, B)
  gh.colwise() += p.bias_hh;
  Mat& gates = cache.gates;
  gates.resize(3 * H, h_prev.cols());
  gates.topRows(2 * H) = sigmoid(gi.topRows(2 * H) + gh.topRows(2 * H));  // r, z
  const auto r = gates.middleRows(0, H).array();
  const auto z = gates.middleRows(H, H).array();
  gates.bottomRows(H) = (gi.bottomRows(H).array() + r * gh.bottomRows(H).array()).tanh();  // n
  const auto n = gates.bottomRows(H).array();
  h = (1 - z) * n + z * h_prev.array();  // interpolate between candidate and previous state
  cache.aux = gh.bottomRows(H);          // W_hn h + b_hn, needed for dr
  cache.x = x;
  cache.h_prev = h_prev;
}

void gru_backward(const Params& p, const StepCache& cache, const Mat& dh, Params* grads,
                  Mat& dh_prev, Mat* dx) {
  const Eigen::Index H = dh.rows();
  const auto r = cache.gates.middleRows(0, H).array();
  const auto z = cache.gates.middleRows(H, H).array();
  const auto n = cache.gates.middleRows(2 * H, H).array();

  const Mat da_n = dh.array() * (1 - z) * (1 - n.square());                // through tanh
  const Mat da_r = da_n.array() * cache.aux.array() * r * (1 - r);         // r multiplies gh_n
  const Mat da_z = dh.array() * (cache.h_prev.array() - n) * z * (1 - z);  // through sigma
  Mat dgi(3 * H, dh.cols()), dgh(3 * H, dh.cols());
  dgi << da_r, da_z, da_n;
  dgh << da_r, da_z, da_n.array() * r;

  if (grads) {
    grads->weight_ih.noalias() += dgi * cache.x.transpose();
    grads->weight_hh.noalias() += dgh * cache.h_prev.transpose();
    grads->bias_ih += dgi.rowwise().sum();
    grads->bias_hh += dgh.rowwise().sum();
  }
  dh_prev = dh.array() * z;                            // the direct "keep" path
  dh_prev.noalias() += p.weight_hh.transpose() * dgh;  // and through every gate
  if (dx) dx->noalias() = p.weight_ih.transpose() * dgi;
}

}  // namespace gs
