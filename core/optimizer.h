// First-order optimizers over Params, and clipping by global norm.
#pragma once
#include "config.h"
#include "params.h"

namespace gs {

struct Optimizer {
  OptimizerKind kind = OptimizerKind::Adam;
  real lr = 0.01;
  real momentum = 0.9;                              // SGD
  real beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // Adam (Kingma & Ba 2015)
  Params first;                                     // SGD: velocity; Adam: running mean of g
  Params second;                                    // Adam: running mean of g^2
  long steps = 0;
};

Optimizer make_optimizer(const Config& config, const Params& like);

// SGD (PyTorch's form): v = momentum v + g; theta -= lr v.
// Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; theta -= lr mhat / (sqrt(vhat) + eps).
void optimizer_step(Optimizer& optimizer, Params& params, const Params& grads);

// Scales `grads` so that their global L2 norm is at most max_norm (0 = no clipping). Returns the
// norm before clipping, which may be inf or NaN: such gradients are left as they are, and the
// caller decides (training skips the update and reports it).
real clip_by_global_norm(Params& grads, real max_norm);

}  // namespace gs
