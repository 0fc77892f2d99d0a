#include "train.h"

#include <cmath>

#include "decay.h"

namespace gs {

Trainer make_trainer(CellKind cell, const Config& config) {
  Trainer trainer;
  trainer.cell = cell;
  trainer.config = config;
  trainer.shape = task_shape(config.task, config.length);
  trainer.precision = config.precision;
  Rng model_rng(model_seed(config.seed));
  const Model model = make_model(cell, trainer.shape.input_size, config.hidden,
                                 trainer.shape.output_size, config, model_rng);
  with_lane(trainer, [&](auto& lane) {
    using T = typename decltype(lane.fwd.x)::Scalar;
    lane.model = model_cast<T>(model);
    lane.optimizer = make_optimizer(config, lane.model.params);
  });
  trainer.data_rng = Rng(data_seed(config.seed) ^ 0x7261696e696e67ULL);  // "raining": own stream
  return trainer;
}

Model trained_model(const Trainer& trainer) {
  return with_lane(trainer, [](const auto& lane) { return model_cast<double>(lane.model); });
}

bool advance_training(Trainer& trainer, int budget) {
  using Phase = Trainer::Phase;
  const Config& config = trainer.config;
  return with_lane(trainer, [&](auto& lane) {
    while (budget > 0) {
      switch (trainer.phase) {
        case Phase::NewBatch: {
          trainer.batch = make_batch(config.task, config.length, config.batch, trainer.data_rng);
          const Mat h0 = Mat::Zero(config.hidden, config.batch);
          begin_forward(lane.model, trainer.batch, h0, has_cell_state(trainer.cell) ? h0 : Mat(),
                        lane.fwd);
          trainer.phase = Phase::Forward;
          break;
        }
        case Phase::Forward: {
          const int before = lane.fwd.steps_done;
          const bool done = forward_steps(lane.model, lane.fwd, budget);
          budget -= lane.fwd.steps_done - before;
          if (!done) break;
          begin_backward(lane.model, lane.fwd, lane.bwd);
          trainer.phase = Phase::Backward;
          break;
        }
        case Phase::Backward: {
          const int before = lane.bwd.steps_left;
          const bool done = backward_steps(lane.model, lane.fwd, lane.bwd, budget);
          budget -= before - lane.bwd.steps_left;
          if (!done) break;
          TrainRecord record;
          record.iteration = static_cast<int>(trainer.history.size()) + 1;
          record.loss = lane.fwd.loss;
          record.accuracy =
              task_accuracy(config.task, trainer.batch, lane.fwd.y.template cast<double>());
          record.grad_norm = clip_by_global_norm(lane.bwd.grads, config.clip);
          record.skipped = !std::isfinite(record.grad_norm);
          record.clipped = clip_factor(record.grad_norm, config.clip) < 1;
          if (!record.skipped) optimizer_step(lane.optimizer, lane.model.params, lane.bwd.grads);
          trainer.history.push_back(record);
          trainer.phase = Phase::NewBatch;
          return true;
        }
      }
    }
    return false;
  });
}

void train_iterations(Trainer& trainer, int iterations) {
  while (static_cast<int>(trainer.history.size()) < iterations) advance_training(trainer, 1 << 30);
}

}  // namespace gs
