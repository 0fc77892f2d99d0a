// Parameters of one recurrent layer plus its linear readout, in PyTorch's names and layout
// (torch.nn.RNN / LSTM / GRU, layer 0), so they can be exported and checked against PyTorch.
// G is the number of gate blocks stacked in the rows: 1 for RNN, 4 for LSTM (i f g o), 3 for GRU
// (r z n). The same struct holds the gradients.
#pragma once
#include <utility>

#include "scalar.h"

namespace gs {

struct Params {
  Mat weight_ih;   // (G*H, I)
  Mat weight_hh;   // (G*H, H)
  Vec bias_ih;     // (G*H)
  Vec bias_hh;     // (G*H)
  Mat weight_out;  // (O, H)  readout y_t = weight_out h_t + bias_out
  Vec bias_out;    // (O)

  // Calls f(name, tensor) for every tensor, PyTorch name first; f takes `auto&`.
  template <class F>
  void visit(F&& f) {
    f("weight_ih_l0", weight_ih);
    f("weight_hh_l0", weight_hh);
    f("bias_ih_l0", bias_ih);
    f("bias_hh_l0", bias_hh);
    f("weight_out", weight_out);
    f("bias_out", bias_out);
  }
  template <class F>
  void visit(F&& f) const {
    const_cast<Params*>(this)->visit([&](const char* name, auto& t) { f(name, std::as_const(t)); });
  }
};

// Zero tensors of the same shapes as `like`.
Params zeros_like(const Params& like);

// Total number of scalars, and the global L2 norm sqrt(sum of squares) over all of them.
long count_scalars(const Params& params);
real global_norm(const Params& params);

}  // namespace gs
