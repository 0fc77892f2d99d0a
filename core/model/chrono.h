// Chrono initialization (Tallec & Ollivier 2018, "Can recurrent neural networks warp time?"):
// gate biases drawn so that the cells' memory times spread over [2, T_max].
//
// A gate g = sigma(b) that keeps a fraction g of the state per step forgets it in about
// 1 / (1 - g) = 1 + e^b steps, and the gradient along that path shrinks by g per step. Drawing
// u ~ U(1, T_max - 1) and b = log(u) gives keep factors g = u / (1 + u) in [1/2, 1 - 1/T_max)
// and memory times 1 + u in [2, T_max), spread over every scale up to T_max.
//
// - LSTM (gates i f g o, c_t = f c_{t-1} + i g): b_f = log(u), b_i = -b_f, one u per unit, so
//   f = u / (1 + u) and i = 1 / (1 + u) = 1 - f: a unit that keeps long writes little.
// - GRU (gates r z n, h_t = (1 - z) n + z h_{t-1}: PyTorch's convention, the one here): z is the
//   gate that keeps, the LSTM's f, so b_z = +log(u); then 1 - z = 1 / (1 + u) = sigma(-b_z)
//   writes the candidate, the LSTM's i, and b_i = -b_f holds by construction. Written with the
//   gate on the candidate instead (h_t = z n + (1 - z) h_{t-1}, as Chung et al. 2014 and the
//   paper's leaky-unit derivation do), the same rule reads b_z = -log(u): the sign depends on
//   the convention, the memory times do not.
//
// The bias sits in bias_ih (PyTorch's b_i* = the setting) and the matching rows of bias_hh are
// set to 0, as forget_bias does; for the LSTM, chrono replaces forget_bias. Other cells are left
// as they are.
#pragma once
#include "model/model.h"

namespace gs {

// Sets the gate biases of an LSTM or GRU from T_max >= 2 (nothing for other cells), drawing one
// u per unit, units in order 0..H-1, from `rng`: the same seed gives the same biases natively and
// in the browser (rng.h's uniform is exact; log is the C library's, correctly rounded in practice
// in glibc and in Emscripten's musl, which share the same implementation).
void apply_chrono_init(Model& model, int t_max, Rng& rng);

}  // namespace gs
