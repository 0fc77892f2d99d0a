#include "model/chrono.h"

#include <cmath>

namespace gs {

void apply_chrono_init(Model& model, int t_max, Rng& rng) {
  if (model.cell != CellKind::Lstm && model.cell != CellKind::Gru) return;
  const int H = model.hidden_size;
  const int keep = H;  // the keeping gate's rows: LSTM f (i f g o), GRU z (r z n), both block 1
  Params& p = model.params;
  for (int j = 0; j < H; ++j) {
    const double bias = std::log(rng.uniform(1.0, t_max - 1.0));
    p.bias_ih(keep + j) = bias;
    p.bias_hh(keep + j) = 0;
    if (model.cell == CellKind::Lstm) {  // input gate: b_i = -b_f
      p.bias_ih(j) = -bias;
      p.bias_hh(j) = 0;
    }
  }
}

}  // namespace gs
