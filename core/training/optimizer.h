// First-order optimizers over Params, and clipping by global norm.
#pragma once
#include "model/config.h"
#include "model/params.h"

namespace gs {

template <class T>
struct OptimizerT {
  OptimizerKind kind = OptimizerKind::Adam;
  T lr = T(0.01);
  T momentum = T(0.9);                                    // SGD
  T beta1 = T(0.9), beta2 = T(0.999), epsilon = T(1e-8);  // Adam (Kingma & Ba 2015)
  ParamsT<T> first;                                       // SGD: velocity; Adam: mean of g
  ParamsT<T> second;                                      // Adam: running mean of g^2
  long steps = 0;
};

template <class T>
OptimizerT<T> make_optimizer(const Config& config, const ParamsT<T>& like);

// SGD (PyTorch's form): v = momentum v + g; theta -= lr v.
// Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; theta -= lr mhat / (sqrt(vhat) + eps).
template <class T>
void optimizer_step(OptimizerT<T>& optimizer, ParamsT<T>& params, const ParamsT<T>& grads);

// Scales `grads` so that their global L2 norm is at most max_norm (0 = no clipping), as
// torch.nn.utils.clip_grad_norm_ does: by max_norm / (norm + 1e-6) where that is below 1. Returns
// the norm before clipping (params.h's global_norm, which does not overflow for finite gradients),
// or inf/NaN if a gradient is not finite: those are left as they are, and the caller decides
// (training skips the update and reports it).
template <class T>
double clip_by_global_norm(ParamsT<T>& grads, double max_norm);

// The factor clip_by_global_norm scales the gradients by, given their norm: max_norm / (norm +
// 1e-6) where that is below 1, else 1 (also when max_norm is 0 or the norm is not finite).
double clip_factor(double norm, double max_norm);

}  // namespace gs
