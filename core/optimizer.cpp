#include "optimizer.h"

#include <cmath>

namespace gs {

Optimizer make_optimizer(const Config& config, const Params& like) {
  Optimizer optimizer;
  optimizer.kind = config.optimizer;
  optimizer.lr = config.lr;
  optimizer.momentum = config.momentum;
  optimizer.first = zeros_like(like);
  optimizer.second = zeros_like(like);
  return optimizer;
}

namespace {

// Calls f(param, grad, first, second) on matching tensors of the four structs.
template <class F>
void for_each_tensor(Params& params, const Params& grads, Optimizer& o, F&& f) {
  f(params.weight_ih, grads.weight_ih, o.first.weight_ih, o.second.weight_ih);
  f(params.weight_hh, grads.weight_hh, o.first.weight_hh, o.second.weight_hh);
  f(params.bias_ih, grads.bias_ih, o.first.bias_ih, o.second.bias_ih);
  f(params.bias_hh, grads.bias_hh, o.first.bias_hh, o.second.bias_hh);
  f(params.weight_out, grads.weight_out, o.first.weight_out, o.second.weight_out);
  f(params.bias_out, grads.bias_out, o.first.bias_out, o.second.bias_out);
}

}  // namespace

void optimizer_step(Optimizer& o, Params& params, const Params& grads) {
  ++o.steps;
  if (o.kind == OptimizerKind::Sgd) {
    for_each_tensor(params, grads, o, [&](auto& theta, const auto& g, auto& velocity, auto&) {
      velocity = o.momentum * velocity + g;
      theta -= o.lr * velocity;
    });
    return;
  }
  const real correction1 = 1 - std::pow(o.beta1, static_cast<real>(o.steps));
  const real correction2 = 1 - std::pow(o.beta2, static_cast<real>(o.steps));
  for_each_tensor(params, grads, o, [&](auto& theta, const auto& g, auto& m, auto& v) {
    m = o.beta1 * m + (1 - o.beta1) * g;
    v = o.beta2 * v + (1 - o.beta2) * g.cwiseProduct(g);
    theta.array() -=
        o.lr * (m.array() / correction1) / ((v.array() / correction2).sqrt() + o.epsilon);
  });
}

real clip_by_global_norm(Params& grads, real max_norm) {
  const real norm = global_norm(grads);
  if (max_norm > 0 && std::isfinite(norm) && norm > max_norm) {
    const real factor = max_norm / norm;
    grads.visit([&](const char*, auto& tensor) { tensor *= factor; });
  }
  return norm;
}

}  // namespace gs
