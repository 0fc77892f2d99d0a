// Training learns: gated cells solve the adding problem where a tanh RNN with the same budget
// stays at chance. Shorter than the reported runs (README) so the suite stays under a minute.
#include <doctest/doctest.h>

#include "training/train.h"

using namespace gs;

namespace {

// Mean loss over the last `tail` iterations.
double final_loss(const Trainer& trainer, int tail) {
  double sum = 0;
  for (size_t i = trainer.history.size() - tail; i < trainer.history.size(); ++i)
    sum += trainer.history[i].loss;
  return sum / tail;
}

Config adding_budget() {
  Config config;  // Adam, lr 0.01, clip 1, batch 32
  config.task = TaskKind::Adding;
  config.length = 50;
  config.hidden = 32;
  config.iters = 600;
  return config;
}

}  // namespace

TEST_CASE("LSTM and GRU drive the adding problem (T=50) below 10% of chance MSE") {
  const Config config = adding_budget();
  for (CellKind cell : {CellKind::Lstm, CellKind::Gru}) {
    Trainer trainer = make_trainer(cell, config);
    train_iterations(trainer, config.iters);
    const double loss = final_loss(trainer, 60);
    MESSAGE(std::string(cell_name(cell))
            << ": final MSE " << loss << " vs chance " << trainer.shape.chance_loss);
    CHECK(loss < 0.1 * trainer.shape.chance_loss);
  }
}

TEST_CASE("a tanh RNN with the same budget stays near chance on the adding problem (T=50)") {
  const Config config = adding_budget();
  Trainer trainer = make_trainer(CellKind::RnnTanh, config);
  train_iterations(trainer, config.iters);
  const double loss = final_loss(trainer, 60);
  MESSAGE("rnn-tanh: final MSE " << loss << " vs chance " << trainer.shape.chance_loss);
  CHECK(loss > 0.8 * trainer.shape.chance_loss);
}

TEST_CASE("training is deterministic for a seed, and sliced training equals whole iterations") {
  Config config = adding_budget();
  config.length = 20;
  Trainer a = make_trainer(CellKind::Gru, config), b = make_trainer(CellKind::Gru, config);
  train_iterations(a, 5);
  while (b.history.size() < 5) advance_training(b, 7);
  REQUIRE(b.history.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(a.history[i].loss == b.history[i].loss);
    CHECK(a.history[i].grad_norm == b.history[i].grad_norm);
  }
  CHECK(a.precision == Precision::F32);  // the default
  CHECK(a.f32.model.params.weight_hh == b.f32.model.params.weight_hh);
}

TEST_CASE("clipping reports the norm before clipping, and non-finite gradients skip the update") {
  Config config = adding_budget();
  config.length = 10;
  config.clip = 1e-3;
  Trainer trainer = make_trainer(CellKind::RnnTanh, config);
  train_iterations(trainer, 1);
  CHECK(trainer.history[0].grad_norm > 1e-3);  // reported unclipped
  CHECK_FALSE(trainer.history[0].skipped);

  trainer.f32.model.params.weight_out(0, 0) = std::numeric_limits<float>::infinity();
  const ParamsT<float> before = trainer.f32.model.params;
  train_iterations(trainer, 2);
  CHECK_FALSE(std::isfinite(trainer.history[1].grad_norm));
  CHECK(trainer.history[1].skipped);
  CHECK(trainer.f32.model.params.weight_hh == before.weight_hh);
}

TEST_CASE("SGD with momentum also learns the adding problem at a short length") {
  Config config = adding_budget();
  config.length = 10;
  config.optimizer = OptimizerKind::Sgd;
  config.lr = 0.2;
  Trainer trainer = make_trainer(CellKind::Lstm, config);
  train_iterations(trainer, 600);
  const double loss = final_loss(trainer, 60);
  MESSAGE("lstm + sgd T=10: final MSE " << loss);
  CHECK(loss < 0.1 * trainer.shape.chance_loss);
}
