// Every analytic gradient against central finite differences in double precision: parameter
// gradients, dL/dh_t at every step, and dL/dc_t for the LSTM, for every cell and activation,
// both losses, scored at the last step and at every step.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "problem.h"
#include "bptt/sequence.h"

using namespace gs;

namespace {

using gs_test::kAllCells;
using gs_test::Problem;

Problem random_problem(CellKind cell, LossKind loss, bool every_step, uint64_t seed) {
  const int I = 3, H = 4, O = 2, T = 5, B = 2;
  Rng rng(seed);
  Config config;
  config.forget_bias = 0.3;
  Problem problem;
  problem.model = make_model(cell, I, H, O, config, rng);
  problem.model.params.weight_hh *= 1.5;  // exercise larger Jacobians than the default init
  problem.batch.loss = loss;
  for (int t = 0; t < T; ++t) {
    Mat x(I, B), target;
    for (int k = 0; k < x.size(); ++k) x.data()[k] = rng.normal();
    if (every_step || t == T - 1) {
      target = Mat::Zero(O, B);
      for (int b = 0; b < B; ++b) {
        if (loss == LossKind::CrossEntropy)
          target(rng.below(O), b) = 1;
        else
          for (int o = 0; o < O; ++o) target(o, b) = rng.normal();
      }
    }
    problem.batch.inputs.push_back(x);
    problem.batch.targets.push_back(target);
  }
  const int S = problem.model.hidden_size;  // H, or 2 H reals for the LRU's complex units
  problem.h0 = Mat(S, B);
  problem.c0 = Mat(S, B);
  for (int k = 0; k < S * B; ++k) {
    problem.h0.data()[k] = 0.5 * rng.normal();
    problem.c0.data()[k] = 0.5 * rng.normal();
  }
  if (cell == CellKind::RnnRelu) problem.h0 = problem.h0.cwiseAbs();  // keep units alive
  return problem;
}

// The loss with `perturb` applied to the forward pass's state right after step `t` (t = 0: the
// initial state), so that d loss / d h_t can be measured by finite differences.
real loss_with(const Problem& p, int t, const std::function<void(ForwardPass<double>&)>& perturb) {
  const Mat c0 = has_cell_state(p.model.cell) ? p.c0 : Mat();
  ForwardPass<double> pass;
  begin_forward(p.model, p.batch, p.h0, c0, pass);
  forward_steps(p.model, pass, t);
  perturb(pass);
  const Mat& target = t > 0 ? p.batch.targets[t - 1] : Mat();
  if (target.size() > 0) {  // step t's readout saw the unperturbed h_t: score it again
    const real normalizer = real(p.batch.batch_size()) * p.batch.scored_steps();
    const Params& w = p.model.params;
    auto y = pass.y.middleCols((t - 1) * pass.batch, pass.batch);
    pass.loss -= step_loss<double>(p.batch.loss, y, target, normalizer, nullptr);
    readout<double>(w, pass.h_at(t), pass.x.middleCols((t - 1) * pass.batch, pass.batch), y);
    pass.loss += step_loss<double>(p.batch.loss, y, target, normalizer, nullptr);
  }
  forward_steps(p.model, pass, p.batch.length());
  return pass.loss;
}

// Central difference of f around its current value, f taking the signed step.
real central_difference(const std::function<real(real)>& f) {
  const real eps = 1e-6;
  return (f(eps) - f(-eps)) / (2 * eps);
}

void check_close(real analytic, real numeric, const std::string& what) {
  INFO(what << ": analytic " << analytic << ", numeric " << numeric);
  CHECK(std::abs(analytic - numeric) <= 1e-7 + 1e-5 * std::abs(numeric));
}

}  // namespace

TEST_CASE("BPTT gradients match central finite differences") {
  for (CellKind cell : kAllCells)
    for (LossKind loss : {LossKind::Mse, LossKind::CrossEntropy})
      for (bool every_step : {false, true}) {
        const std::string name = std::string(cell_name(cell)) +
                                 (loss == LossKind::Mse ? " mse" : " cross-entropy") +
                                 (every_step ? " every step" : " last step");
        SUBCASE(name.c_str()) {
          Problem p = random_problem(cell, loss, every_step, 42);
          const Mat c0 = has_cell_state(cell) ? p.c0 : Mat();
          const ForwardPass<double> fwd = forward(p.model, p.batch, p.h0, c0);
          const BackwardPass<double> bwd = backward(p.model, fwd);

          // Parameter gradients: every scalar of every tensor, walked in visit() order.
          std::vector<real> analytic;
          bwd.grads.visit([&](const char*, const auto& g) {
            analytic.insert(analytic.end(), g.data(), g.data() + g.size());
          });
          size_t index = 0;
          p.model.params.visit([&](const char* tensor_name, auto& tensor) {
            for (Eigen::Index k = 0; k < tensor.size(); ++k) {
              const real saved = tensor.data()[k];
              const real numeric = central_difference([&](real step) {
                tensor.data()[k] = saved + step;
                const real value = forward<double>(p.model, p.batch, p.h0, c0).loss;
                tensor.data()[k] = saved;
                return value;
              });
              check_close(analytic[index++], numeric, name + " d" + tensor_name);
            }
          });
          CHECK(index == analytic.size());

          // Hidden-state (and cell-state) gradients at every step t = 0..T.
          for (int t = 0; t <= p.batch.length(); ++t)
            for (Eigen::Index k = 0; k < p.h0.size(); ++k) {
              const real dh = central_difference([&](real step) {
                return loss_with(p, t, [&](ForwardPass<double>& pass) {
                  pass.h_at(t).data()[k] += step;
                });
              });
              check_close(bwd.dh_at(t).data()[k], dh, name + " dh_" + std::to_string(t));
              if (!has_cell_state(cell)) continue;
              const real dc = central_difference([&](real step) {
                return loss_with(p, t, [&](ForwardPass<double>& pass) {
                  pass.c.middleCols(t * pass.batch, pass.batch).data()[k] += step;
                });
              });
              check_close(bwd.dc_at(t).data()[k], dc, name + " dc_" + std::to_string(t));
            }
        }
      }
}
