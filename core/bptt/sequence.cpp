#include "bptt/sequence.h"

#include <algorithm>
#include <cmath>

namespace gs {

int Batch::scored_steps() const {
  int count = 0;
  for (const Mat& target : targets) count += target.size() > 0;
  return count;
}

// --- loss at one step ------------------------------------------------------------------------

template <class T>
double step_loss(LossKind loss, ConstMatRef<T> y, ConstMatRef<T> target, double normalizer,
                 MatT<T>* dy) {
  const T scale = static_cast<T>(1 / normalizer);
  if (loss == LossKind::Mse) {
    if (dy) *dy = (2 * scale) * (y - target);  // d/dy of sum (y - t)^2
    return static_cast<double>((y - target).squaredNorm()) / normalizer;
  }
  // Softmax cross-entropy, column by column, stabilized by subtracting each column's max.
  if (dy) dy->resize(y.rows(), y.cols());  // no-op when it has the size already
  double total = 0;
  for (Eigen::Index b = 0; b < y.cols(); ++b) {
    const T top = y.col(b).maxCoeff();
    const T log_sum = std::log((y.col(b).array() - top).exp().sum());
    // -sum target * log_softmax, with log_softmax = y - top - log_sum
    total -= static_cast<double>((target.col(b).array() * (y.col(b).array() - top - log_sum)).sum());
    if (dy) dy->col(b) = scale * ((y.col(b).array() - top - log_sum).exp() - target.col(b).array()).matrix();
  }
  return total / normalizer;
}

double loss_normalizer(int batch, const std::vector<char>& scored) {
  const long scored_steps = std::count(scored.begin(), scored.end(), 1);
  return static_cast<double>(batch) * std::max(1L, scored_steps);
}

namespace {

// Resizes only when the shape changes, so that a trainer's next minibatch reuses the memory.
template <class T>
void ensure_size(MatT<T>& m, Eigen::Index rows, Eigen::Index cols) {
  if (m.rows() != rows || m.cols() != cols) m.resize(rows, cols);
}

}  // namespace

// --- forward ---------------------------------------------------------------------------------

template <class T>
void begin_forward(const ModelT<T>& model, const Batch& batch, const Mat& h0, const Mat& c0,
                   ForwardPass<T>& pass) {
  const int T_ = batch.length(), B = batch.batch_size();
  const int H = model.hidden_size, I = model.input_size, O = model.output_size;
  const int G = gate_count(model.cell);
  pass.length = T_;
  pass.batch = B;
  pass.loss_kind = batch.loss;
  ensure_size(pass.x, I, T_ * B);
  ensure_size(pass.targets, O, T_ * B);
  pass.scored.assign(T_, 0);
  for (int t = 0; t < T_; ++t) {
    pass.x.middleCols(t * B, B) = batch.inputs[t].cast<T>();
    if (batch.targets[t].size() > 0) {
      pass.targets.middleCols(t * B, B) = batch.targets[t].cast<T>();
      pass.scored[t] = 1;
    }
  }
  ensure_size(pass.h, H, (T_ + 1) * B);
  pass.h_at(0) = h0.cast<T>();
  const CellFamily family = cell_info(model.cell).family;
  const bool rnn = family == CellFamily::Rnn, lstm = family == CellFamily::Lstm;
  const bool gru = family == CellFamily::Gru;
  ensure_size(pass.gates, rnn ? 0 : G * H, T_ * B);
  ensure_size(pass.c, lstm ? H : 0, lstm ? (T_ + 1) * B : 0);
  if (lstm) pass.c.leftCols(B) = c0.cast<T>();
  const bool lru = family == CellFamily::Lru;
  ensure_size(pass.aux, rnn || lru ? 0 : family == CellFamily::MinLstm ? 3 * H : H, T_ * B);
  ensure_size(pass.scratch, gru ? 3 * H : 0, B);
  if (lru) lru_coefficients(model.params, pass.scratch);
  ensure_size(pass.y, O, T_ * B);
  pass.loss = 0;
  pass.steps_done = 0;
  pass.overflow_step = 0;

  // The input projection of every step in one product, biases folded in (the GRU keeps b_hh
  // apart: its reset gate multiplies W_hn h + b_hn only; the minimal cells have none; the LRU has
  // no bias at all). The RNN writes it where h_t will be.
  const ParamsT<T>& p = model.params;
  auto projected = rnn ? pass.h.rightCols(T_ * B) : pass.gates.leftCols(T_ * B);
  projected.noalias() = p.weight_ih * pass.x;
  if (lru) return;
  if (gru || !has_recurrent_weights(model.cell))
    projected.colwise() += p.bias_ih;
  else
    projected.colwise() += p.bias_ih + p.bias_hh;
}

template <class T>
bool forward_steps(const ModelT<T>& model, ForwardPass<T>& pass, int budget) {
  const ParamsT<T>& p = model.params;
  const int B = pass.batch, t0 = pass.steps_done;
  const int steps = std::min(budget, pass.length - t0);
  if (steps <= 0) return pass.steps_done == pass.length;
  const CellInfo& cell = cell_info(model.cell);
  const double normalizer = loss_normalizer(B, pass.scored);
  for (int t = t0; t < t0 + steps; ++t) {  // makes h_{t+1} from h_t (step t+1 of the docs)
    switch (cell.family) {
      case CellFamily::Rnn:
        rnn_forward<T>(cell.activation, pass.h_at(t + 1), pass.h_at(t), p);
        break;
      case CellFamily::Lstm:
        lstm_forward<T>(pass.gates.middleCols(t * B, B), pass.h_at(t + 1),
                        pass.c.middleCols((t + 1) * B, B), pass.aux.middleCols(t * B, B),
                        pass.h_at(t), pass.c.middleCols(t * B, B), p);
        break;
      case CellFamily::Gru:
        gru_forward<T>(pass.gates.middleCols(t * B, B), pass.h_at(t + 1),
                       pass.aux.middleCols(t * B, B), pass.scratch, pass.h_at(t), p);
        break;
      case CellFamily::MinGru:
        mingru_forward<T>(pass.gates.middleCols(t * B, B), pass.h_at(t + 1),
                          pass.aux.middleCols(t * B, B), pass.h_at(t));
        break;
      case CellFamily::MinLstm:
        minlstm_forward<T>(pass.gates.middleCols(t * B, B), pass.h_at(t + 1),
                           pass.aux.middleCols(t * B, B), pass.h_at(t));
        break;
      case CellFamily::Lru:
        lru_forward<T>(pass.h_at(t + 1), pass.gates.middleCols(t * B, B), pass.h_at(t), pass.scratch);
        break;
    }
    if (pass.overflow_step == 0 && !pass.h_at(t + 1).allFinite()) pass.overflow_step = t + 1;
    if (pass.scored[t]) {  // readout and loss
      auto y = pass.y.middleCols(t * B, B);
      readout<T>(p, pass.h_at(t + 1), pass.x.middleCols(t * B, B), y);
      pass.loss += step_loss<T>(pass.loss_kind, y, pass.targets.middleCols(t * B, B), normalizer,
                                nullptr);
    }
  }
  pass.steps_done += steps;
  return pass.steps_done == pass.length;
}

template <class T>
ForwardPass<T> forward(const ModelT<T>& model, const Batch& batch, const Mat& h0, const Mat& c0) {
  ForwardPass<T> pass;
  begin_forward(model, batch, h0, c0, pass);
  forward_steps(model, pass, batch.length());
  return pass;
}

// --- backward through time -------------------------------------------------------------------

template <class T>
void step_backward(const ModelT<T>& model, const ForwardPass<T>& fwd, int t, MatRef<T> dgates,
                   MatRef<T> dgates_in, MatRef<T> dh_prev, MatRef<T> dc_prev, ConstMatRef<T> dh,
                   ConstMatRef<T> dc) {
  const int B = fwd.batch, step = (t - 1) * B;  // the columns of the step that made h_t
  const ParamsT<T>& p = model.params;
  const CellInfo& cell = cell_info(model.cell);
  switch (cell.family) {
    case CellFamily::Rnn:
      rnn_backward<T>(cell.activation, dgates, dh_prev, dh, fwd.h_at(t), p);
      break;
    case CellFamily::Lstm:
      lstm_backward<T>(dgates, dh_prev, dc_prev, dh, dc, fwd.gates.middleCols(step, B),
                       fwd.c_at(t - 1), fwd.aux.middleCols(step, B), p);
      break;
    case CellFamily::Gru:
      gru_backward<T>(dgates, dgates_in, dh_prev, dh, fwd.gates.middleCols(step, B),
                      fwd.aux.middleCols(step, B), fwd.h_at(t - 1), p);
      break;
    case CellFamily::MinGru:
      mingru_backward<T>(dgates, dh_prev, dh, fwd.gates.middleCols(step, B),
                         fwd.aux.middleCols(step, B), fwd.h_at(t - 1));
      break;
    case CellFamily::MinLstm:
      minlstm_backward<T>(dgates, dh_prev, dh, fwd.gates.middleCols(step, B),
                          fwd.aux.middleCols(step, B), fwd.h_at(t - 1));
      break;
    case CellFamily::Lru:
      lru_backward<T>(dgates, dh_prev, dh, fwd.scratch);
      break;
  }
}

template <class T>
void begin_backward(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass) {
  const int T_ = fwd.length, B = fwd.batch, H = model.hidden_size;
  const int G = gate_count(model.cell);
  const CellFamily family = cell_info(model.cell).family;
  const bool lstm = family == CellFamily::Lstm, gru = family == CellFamily::Gru;
  if (pass.grads.weight_ih.size() != model.params.weight_ih.size())
    pass.grads = zeros_like(model.params);
  else
    pass.grads.visit([](const char*, auto& tensor) { tensor.setZero(); });
  pass.batch = B;
  ensure_size(pass.dh, H, (T_ + 1) * B);
  pass.dh.rightCols(B).setZero();  // nothing flows into h_T from a step T+1
  ensure_size(pass.dc, lstm ? H : 0, lstm ? (T_ + 1) * B : 0);
  if (lstm) pass.dc.rightCols(B).setZero();
  ensure_size(pass.dgates, G * H, T_ * B);
  ensure_size(pass.dgates_in, gru ? G * H : 0, gru ? T_ * B : 0);
  ensure_size(pass.dy, model.output_size, B);
  pass.steps_left = T_;
}

template <class T>
bool backward_steps(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass,
                    int budget) {
  const int B = fwd.batch, t_end = pass.steps_left;
  const int steps = std::min(budget, t_end);
  if (steps <= 0) return pass.steps_left == 0;
  const CellFamily family = cell_info(model.cell).family;
  const bool lstm = family == CellFamily::Lstm, gru = family == CellFamily::Gru;
  const double normalizer = loss_normalizer(B, fwd.scored);
  for (int t = t_end; t > t_end - steps; --t) {  // h_t is made by step t (1-based)
    auto dh = pass.dh.middleCols(t * B, B);
    if (fwd.scored[t - 1]) add_loss_gradient<T>(model, fwd, pass, t, normalizer, dh);  // its loss
    const int step = (t - 1) * B;
    auto no_block = pass.dgates.leftCols(0);  // what this cell does not use
    step_backward<T>(model, fwd, t, pass.dgates.middleCols(step, B),
                     gru ? pass.dgates_in.middleCols(step, B) : no_block,
                     pass.dh.middleCols((t - 1) * B, B),
                     lstm ? pass.dc.middleCols((t - 1) * B, B) : no_block, dh,
                     lstm ? pass.dc.middleCols(t * B, B) : no_block);
  }
  pass.steps_left -= steps;
  if (pass.steps_left > 0) return false;
  // once the last step is done, so that they do not depend on how the pass was sliced
  finish_weight_gradients(model, fwd, pass);
  return true;
}

template <class T>
void add_loss_gradient(const ModelT<T>& model, const ForwardPass<T>& fwd, BackwardPass<T>& pass,
                       int t, double normalizer, MatRef<T> dh) {
  const int B = fwd.batch;
  step_loss<T>(fwd.loss_kind, fwd.y_at(t - 1), fwd.targets.middleCols((t - 1) * B, B),
               normalizer, &pass.dy);
  pass.grads.weight_out.noalias() += pass.dy * fwd.h_at(t).transpose();
  if (pass.grads.bias_out.size()) pass.grads.bias_out += pass.dy.rowwise().sum();
  if (pass.grads.skip.size())
    pass.grads.skip.noalias() += pass.dy * fwd.x.middleCols((t - 1) * B, B).transpose();
  dh.noalias() += model.params.weight_out.transpose() * pass.dy;
}

template <class T>
void readout(const ParamsT<T>& p, ConstMatRef<T> h, ConstMatRef<T> x, MatRef<T> y) {
  y.noalias() = p.weight_out * h;
  if (p.bias_out.size()) y.colwise() += p.bias_out;
  if (p.skip.size()) y.noalias() += p.skip * x;
}

template <class T>
void add_weight_gradients(const ModelT<T>& model, const ForwardPass<T>& fwd, int first_column,
                          ConstMatRef<T> dgates, ConstMatRef<T> dgates_in, ParamsT<T>& grads) {
  // dW_hh = dgates [h_{t-1} ...]^T and dW_ih = dgates_in [x_t ...]^T over the columns (a cell
  // without W_hh: dgates is dL/d(W_ih x_t + b_ih); the LRU: lru_cell.cpp)
  const Eigen::Index columns = dgates.cols();
  const auto h_prev = fwd.h.middleCols(first_column, columns);
  const auto x = fwd.x.middleCols(first_column, columns);
  if (cell_info(model.cell).family == CellFamily::Lru) {
    lru_add_gradients<T>(grads, model.params, fwd.scratch, dgates, h_prev,
                         fwd.gates.middleCols(first_column, columns), x);
    return;
  }
  const bool gru = cell_info(model.cell).family == CellFamily::Gru;
  const ConstMatRef<T> input_side = gru ? dgates_in : dgates;
  if (has_recurrent_weights(model.cell)) {
    grads.weight_hh.noalias() += dgates * h_prev.transpose();
    grads.bias_hh += dgates.rowwise().sum();
  }
  grads.weight_ih.noalias() += input_side * x.transpose();
  grads.bias_ih += input_side.rowwise().sum();
}

template <class T>
void finish_weight_gradients(const ModelT<T>& model, const ForwardPass<T>& fwd,
                             BackwardPass<T>& pass) {
  // every step's columns in one product each, so the numbers do not depend on the slicing
  add_weight_gradients<T>(model, fwd, 0, pass.dgates, pass.dgates_in, pass.grads);
}

template <class T>
BackwardPass<T> backward(const ModelT<T>& model, const ForwardPass<T>& fwd) {
  BackwardPass<T> pass;
  begin_backward(model, fwd, pass);
  backward_steps(model, fwd, pass, fwd.length);
  return pass;
}

// --- the two precisions ------------------------------------------------------------------------

#define GS_INSTANTIATE(T)                                                                        \
  template double step_loss<T>(LossKind, ConstMatRef<T>, ConstMatRef<T>, double, MatT<T>*);      \
  template void begin_forward<T>(const ModelT<T>&, const Batch&, const Mat&, const Mat&,         \
                                 ForwardPass<T>&);                                               \
  template bool forward_steps<T>(const ModelT<T>&, ForwardPass<T>&, int);                        \
  template ForwardPass<T> forward<T>(const ModelT<T>&, const Batch&, const Mat&, const Mat&);    \
  template void step_backward<T>(const ModelT<T>&, const ForwardPass<T>&, int, MatRef<T>,        \
                                 MatRef<T>, MatRef<T>, MatRef<T>, ConstMatRef<T>,                \
                                 ConstMatRef<T>);                                                \
  template void begin_backward<T>(const ModelT<T>&, const ForwardPass<T>&, BackwardPass<T>&);    \
  template bool backward_steps<T>(const ModelT<T>&, const ForwardPass<T>&, BackwardPass<T>&,     \
                                  int);                                                          \
  template BackwardPass<T> backward<T>(const ModelT<T>&, const ForwardPass<T>&);                 \
  template void add_loss_gradient<T>(const ModelT<T>&, const ForwardPass<T>&, BackwardPass<T>&,  \
                                     int, double, MatRef<T>);                                    \
  template void finish_weight_gradients<T>(const ModelT<T>&, const ForwardPass<T>&,              \
                                           BackwardPass<T>&);                                    \
  template void add_weight_gradients<T>(const ModelT<T>&, const ForwardPass<T>&, int,            \
                                        ConstMatRef<T>, ConstMatRef<T>, ParamsT<T>&);            \
  template void readout<T>(const ParamsT<T>&, ConstMatRef<T>, ConstMatRef<T>, MatRef<T>);
GS_INSTANTIATE(float)
GS_INSTANTIATE(double)
#undef GS_INSTANTIATE

}  // namespace gs
