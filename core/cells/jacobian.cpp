// The step Jacobian of each cell, its equations (forward, as the *_cell.cpp files compute them)
// beside the derivative each coefficient of jacobian.h's form stands for.
#include "cells/jacobian.h"

namespace gs {

int state_size(CellKind cell, int hidden) { return has_cell_state(cell) ? 2 * hidden : hidden; }

template <class T>
void step_jacobian(CellKind cell, const ForwardPass<T>& fwd, int t, StepJacobian& jac,
                   int column) {
  const int H = static_cast<int>(fwd.h.rows()), G = recurrent_blocks(cell);
  const int B = fwd.batch, step = (t - 1) * B + column;  // the columns of the step making s_t
  jac.cell = cell;
  jac.hidden = H;
  jac.a.resize(H, G);
  jac.d_hh.setZero(H);
  // What the forward pass kept of this step, widened to double (exact).
  const auto cache = [&](const MatT<T>& m, int row, int col) {
    return m.col(col).segment(row, H).template cast<double>().array();
  };
  switch (cell_info(cell).family) {
    case CellFamily::Rnn: {
      // Forward:  a_t = W_ih x_t + b + W_hh h_{t-1};  h_t = act(a_t)
      // J_t = dh_t/dh_{t-1} = diag(act'(a_t)) W_hh, act' written from h_t as rnn_cell.cpp does:
      // tanh' = 1 - h^2, sigmoid' = h (1 - h), relu' = [h > 0], identity' = 1.
      const Eigen::ArrayXd h = cache(fwd.h, 0, step + B);  // h_t is column t B of h
      switch (cell_info(cell).activation) {
        case Activation::Tanh: jac.a.col(0) = 1 - h.square(); break;
        case Activation::Sigmoid: jac.a.col(0) = h * (1 - h); break;
        case Activation::Relu: jac.a.col(0) = (h > 0).cast<double>(); break;
        case Activation::Identity:
        case Activation::None: jac.a.col(0).setOnes(); break;
      }
      break;
    }
    case CellFamily::Lstm: {
      // Forward:  [a_i a_f a_g a_o] = W_ih x_t + b + W_hh h_{t-1}
      //           i = sigma(a_i)  f = sigma(a_f)  g = tanh(a_g)  o = sigma(a_o)
      //           c_t = f c_{t-1} + i g        h_t = o tanh(c_t)
      // dc_t/dh_{t-1} = diag(g i(1-i)) W_i + diag(c_{t-1} f(1-f)) W_f + diag(i (1-g^2)) W_g   (b)
      // dc_t/dc_{t-1} = diag(f)                                                         (d_cc)
      // dh_t/dh_{t-1} = diag(tanh(c_t) o(1-o)) W_o + diag(e) dc_t/dh_{t-1}, e = o (1 - tanh(c_t)^2)
      //               : a_o = tanh(c_t) o(1-o), a_{i,f,g} = e b_{i,f,g}                   (a)
      // dh_t/dc_{t-1} = diag(e f)                                                       (d_hc)
      const Eigen::ArrayXd i = cache(fwd.gates, 0, step), f = cache(fwd.gates, H, step);
      const Eigen::ArrayXd g = cache(fwd.gates, 2 * H, step), o = cache(fwd.gates, 3 * H, step);
      const Eigen::ArrayXd c_prev = cache(fwd.c, 0, step), tanh_c = cache(fwd.aux, 0, step);
      const Eigen::ArrayXd e = o * (1 - tanh_c.square());
      jac.b.resize(H, G);
      jac.b.col(0) = g * i * (1 - i);
      jac.b.col(1) = c_prev * f * (1 - f);
      jac.b.col(2) = i * (1 - g.square());
      jac.b.col(3).setZero();  // o does not touch c_t
      jac.a.leftCols(3) = (jac.b.leftCols(3).array().colwise() * e).matrix();
      jac.a.col(3) = tanh_c * o * (1 - o);
      jac.d_hc = e * f;
      jac.d_cc = f;
      break;
    }
    case CellFamily::Gru: {
      // Forward:  gh = W_hh h_{t-1} + b_hh   r = sigma(gi_r + gh_r)   z = sigma(gi_z + gh_z)
      //           n = tanh(gi_n + r gh_n)    h_t = (1 - z) n + z h_{t-1}
      // dh_t/dh_{t-1} = diag(z)                                    the keep path        (d_hh)
      //   + diag(h_{t-1} - n) dz/dh,  dz/dh = diag(z(1-z)) W_z                           (a_z)
      //   + diag(1 - z) dn/dh,  dn/dh = diag(1-n^2) (diag(r) W_n + diag(gh_n) dr/dh),
      //                         dr/dh = diag(r(1-r)) W_r                                 (a_n, a_r)
      const Eigen::ArrayXd r = cache(fwd.gates, 0, step), z = cache(fwd.gates, H, step);
      const Eigen::ArrayXd n = cache(fwd.gates, 2 * H, step);
      const Eigen::ArrayXd gh_n = cache(fwd.aux, 0, step), h_prev = cache(fwd.h, 0, step);
      const Eigen::ArrayXd dn = (1 - z) * (1 - n.square());  // dh_t/d(gi_n + r gh_n)
      jac.a.col(0) = dn * gh_n * r * (1 - r);
      jac.a.col(1) = (h_prev - n) * z * (1 - z);
      jac.a.col(2) = dn * r;
      jac.d_hh = z;
      break;
    }
    case CellFamily::MinGru:
      // Forward:  z = sigma(W_z x_t + b_z)   h_t = (1 - z) h_{t-1} + z g(W_h x_t + b_h)
      // Nothing but the first term reads h_{t-1}: J_t = diag(1 - z), no W_hh (G = 0 blocks).
      jac.d_hh = 1 - cache(fwd.gates, H, step);
      break;
    case CellFamily::MinLstm:
      // Forward:  h_t = f' h_{t-1} + i' g(W_h x_t + b_h), f' and i' from x_t only: J_t = diag(f').
      jac.d_hh = cache(fwd.gates, H, step);
      break;
    case CellFamily::Lru: {
      // Forward:  h_t = lambda h_{t-1} + gamma u_t, complex, lambda = p + i q the same at every
      // step: on [Re h; Im h], J_t = [diag(p) -diag(q); diag(q) diag(p)].
      const Eigen::VectorXd p = fwd.scratch.col(0).template cast<double>();
      jac.d_hh << p, p;
      jac.rotation = fwd.scratch.col(1).template cast<double>();
      break;
    }
  }
  if (!has_complex_state(cell)) jac.rotation.resize(0);
  if (!has_cell_state(cell)) jac.b.resize(0, 0), jac.d_hc.resize(0), jac.d_cc.resize(0);
}

void jacobian_matrix(const Mat& w_hh, const StepJacobian& jac, Mat& out) {
  const int H = jac.hidden, G = static_cast<int>(jac.a.cols());
  const bool lstm = has_cell_state(jac.cell);
  out.setZero(state_size(jac.cell, H), state_size(jac.cell, H));
  auto hh = out.topLeftCorner(H, H);
  for (int g = 0; g < G; ++g) hh.noalias() += jac.a.col(g).asDiagonal() * w_hh.middleRows(g * H, H);
  hh.diagonal() += jac.d_hh;
  const Eigen::Index N = jac.rotation.size();  // the LRU's complex units
  out.block(0, N, N, N).diagonal() = -jac.rotation;
  out.block(N, 0, N, N).diagonal() = jac.rotation;
  if (!lstm) return;
  auto ch = out.bottomLeftCorner(H, H);
  for (int g = 0; g < G; ++g) ch.noalias() += jac.b.col(g).asDiagonal() * w_hh.middleRows(g * H, H);
  out.topRightCorner(H, H).diagonal() = jac.d_hc;
  out.bottomRightCorner(H, H).diagonal() = jac.d_cc;
}

void jacobian_times(const Mat& w_hh, const StepJacobian& jac, const Mat& x, Mat& y,
                    Mat& scratch) {
  const int H = jac.hidden, G = static_cast<int>(jac.a.cols());
  const bool lstm = has_cell_state(jac.cell);
  scratch.noalias() = w_hh * x.topRows(H);  // (G H, k): W_g h-part of x, every g at once
  y.resize(x.rows(), x.cols());
  auto yh = y.topRows(H);
  yh = jac.d_hh.asDiagonal() * x.topRows(H);
  for (int g = 0; g < G; ++g) yh.noalias() += jac.a.col(g).asDiagonal() * scratch.middleRows(g * H, H);
  if (const Eigen::Index N = jac.rotation.size()) {  // the LRU: y = lambda x, unit by unit
    y.topRows(N).noalias() -= jac.rotation.asDiagonal() * x.bottomRows(N);
    y.bottomRows(N).noalias() += jac.rotation.asDiagonal() * x.topRows(N);
  }
  if (!lstm) return;
  auto yc = y.bottomRows(H);
  yh.noalias() += jac.d_hc.asDiagonal() * x.bottomRows(H);
  yc = jac.d_cc.asDiagonal() * x.bottomRows(H);
  for (int g = 0; g < G; ++g) yc.noalias() += jac.b.col(g).asDiagonal() * scratch.middleRows(g * H, H);
}

void jacobian_transpose_times(const Mat& w_hh, const StepJacobian& jac, const Mat& y, Mat& x,
                              Mat& scratch) {
  const int H = jac.hidden, G = static_cast<int>(jac.a.cols());
  const bool lstm = has_cell_state(jac.cell);
  scratch.resize(G * H, y.cols());  // what reaches each gate's pre-activation, as dgates
  for (int g = 0; g < G; ++g) {
    scratch.middleRows(g * H, H).noalias() = jac.a.col(g).asDiagonal() * y.topRows(H);
    if (lstm) scratch.middleRows(g * H, H).noalias() += jac.b.col(g).asDiagonal() * y.bottomRows(H);
  }
  x.resize(y.rows(), y.cols());
  x.topRows(H).noalias() = w_hh.transpose() * scratch;
  x.topRows(H).noalias() += jac.d_hh.asDiagonal() * y.topRows(H);
  if (const Eigen::Index N = jac.rotation.size()) {  // the LRU: x = conj(lambda) y
    x.topRows(N).noalias() += jac.rotation.asDiagonal() * y.bottomRows(N);
    x.bottomRows(N).noalias() -= jac.rotation.asDiagonal() * y.topRows(N);
  }
  if (!lstm) return;
  x.bottomRows(H).noalias() = jac.d_hc.asDiagonal() * y.topRows(H);
  x.bottomRows(H).noalias() += jac.d_cc.asDiagonal() * y.bottomRows(H);
}

template void step_jacobian<float>(CellKind, const ForwardPass<float>&, int, StepJacobian&, int);
template void step_jacobian<double>(CellKind, const ForwardPass<double>&, int, StepJacobian&,
                                    int);

}  // namespace gs
