#include "model/chrono.h"

#include <cmath>

namespace gs {

void apply_chrono_init(Model& model, int t_max, Rng& rng) {
  const CellInfo& cell = cell_info(model.cell);
  if (!cell.chrono_applies) return;
  const int H = model.hidden_size;
  const int keep = cell.keep_gate * H;  // the keeping gate's rows: LSTM f, GRU z
  Params& p = model.params;
  for (int j = 0; j < H; ++j) {
    const double bias = std::log(rng.uniform(1.0, t_max - 1.0));
    p.bias_ih(keep + j) = bias;
    p.bias_hh(keep + j) = 0;
    if (cell.family == CellFamily::Lstm) {  // input gate: b_i = -b_f
      p.bias_ih(j) = -bias;
      p.bias_hh(j) = 0;
    }
  }
}

}  // namespace gs
