#include "training/optimizer.h"

#include <algorithm>
#include <cmath>

namespace gs {

template <class T>
OptimizerT<T> make_optimizer(const Config& config, const ParamsT<T>& like) {
  OptimizerT<T> optimizer;
  optimizer.kind = config.optimizer;
  optimizer.lr = static_cast<T>(config.lr);
  optimizer.momentum = static_cast<T>(config.momentum);
  optimizer.first = zeros_like(like);
  optimizer.second = zeros_like(like);
  return optimizer;
}

namespace {

// Calls f(param, grad, first, second) on matching tensors of the four structs.
template <class T, class F>
void for_each_tensor(ParamsT<T>& params, const ParamsT<T>& grads, OptimizerT<T>& o, F&& f) {
  f(params.weight_ih, grads.weight_ih, o.first.weight_ih, o.second.weight_ih);
  f(params.weight_hh, grads.weight_hh, o.first.weight_hh, o.second.weight_hh);
  f(params.bias_ih, grads.bias_ih, o.first.bias_ih, o.second.bias_ih);
  f(params.bias_hh, grads.bias_hh, o.first.bias_hh, o.second.bias_hh);
  f(params.weight_out, grads.weight_out, o.first.weight_out, o.second.weight_out);
  f(params.bias_out, grads.bias_out, o.first.bias_out, o.second.bias_out);
  f(params.nu_log, grads.nu_log, o.first.nu_log, o.second.nu_log);
  f(params.theta_log, grads.theta_log, o.first.theta_log, o.second.theta_log);
  f(params.gamma_log, grads.gamma_log, o.first.gamma_log, o.second.gamma_log);
  f(params.skip, grads.skip, o.first.skip, o.second.skip);
}

}  // namespace

template <class T>
void optimizer_step(OptimizerT<T>& o, ParamsT<T>& params, const ParamsT<T>& grads) {
  ++o.steps;
  if (o.kind == OptimizerKind::Sgd) {
    for_each_tensor(params, grads, o, [&](auto& theta, const auto& g, auto& velocity, auto&) {
      velocity = o.momentum * velocity + g;
      theta -= o.lr * velocity;
    });
    return;
  }
  const T correction1 = 1 - std::pow(o.beta1, static_cast<T>(o.steps));
  const T correction2 = 1 - std::pow(o.beta2, static_cast<T>(o.steps));
  for_each_tensor(params, grads, o, [&](auto& theta, const auto& g, auto& m, auto& v) {
    m = o.beta1 * m + (1 - o.beta1) * g;
    v = o.beta2 * v + (1 - o.beta2) * g.cwiseProduct(g);
    theta.array() -=
        o.lr * (m.array() / correction1) / ((v.array() / correction2).sqrt() + o.epsilon);
  });
}

double clip_factor(double norm, double max_norm) {
  if (!(max_norm > 0) || !std::isfinite(norm)) return 1;
  // torch.nn.utils.clip_grad_norm_'s rule, 1e-6 included, so that a PyTorch replay of a training
  // run (tests/reference/replay_training.py) agrees to rounding and not just to 1e-6.
  return std::min(1.0, max_norm / (norm + 1e-6));
}

template <class T>
double clip_by_global_norm(ParamsT<T>& grads, double max_norm) {
  const double norm = global_norm(grads);
  const double factor = clip_factor(norm, max_norm);  // in double: it may be below float's range
  if (factor < 1) {
    grads.visit([&](const char*, auto& tensor) {
      tensor = (tensor.template cast<double>() * factor).template cast<T>();
    });
  }
  return norm;
}

template OptimizerT<float> make_optimizer<float>(const Config&, const ParamsT<float>&);
template OptimizerT<double> make_optimizer<double>(const Config&, const ParamsT<double>&);
template void optimizer_step<float>(OptimizerT<float>&, ParamsT<float>&, const ParamsT<float>&);
template void optimizer_step<double>(OptimizerT<double>&, ParamsT<double>&,
                                     const ParamsT<double>&);
template double clip_by_global_norm<float>(ParamsT<float>&, double);
template double clip_by_global_norm<double>(ParamsT<double>&, double);

}  // namespace gs
