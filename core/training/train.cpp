#include "training/train.h"

#include <cmath>

#include "bptt/decay.h"

namespace gs {

Trainer make_trainer(CellKind cell, const Config& config) {
  Rng model_rng(model_seed(config.seed));
  const TaskShape shape = task_shape(config.task, config.length);
  return make_trainer(
      make_model(cell, shape.input_size, config.hidden, shape.output_size, config, model_rng),
      config);
}

Trainer make_trainer(const Model& model, const Config& config) {
  Trainer trainer;
  trainer.cell = model.cell;
  trainer.config = config;
  trainer.shape = task_shape(config.task, config.length);
  trainer.precision = config.precision;
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

namespace {

// Stops the run if its latest record shows it diverged, and says how.
void note_divergence(Trainer& trainer, int overflow_step) {
  const TrainRecord& r = trainer.history.back();
  trainer.skipped_in_a_row = r.skipped ? trainer.skipped_in_a_row + 1 : 0;
  if (std::isfinite(r.loss) && trainer.skipped_in_a_row < kMaxSkippedInARow) return;
  trainer.diverged_at = r.iteration;
  const Config& c = trainer.config;
  if (overflow_step > 0)
    trainer.divergence = "the forward pass overflowed at step " + std::to_string(overflow_step) +
                         " of the sequence; " +
                         (has_recurrent_weights(trainer.cell) ? "lower scale" : "lower lr") +
                         (c.precision == Precision::F32 ? ", or use precision=f64" : "");
  else if (!std::isfinite(r.loss))
    trainer.divergence = std::string("the loss is not finite: the weights exploded; ") +
                         (c.clip > 0 ? "lower lr" : "try clip=1");
  else
    trainer.divergence = std::to_string(kMaxSkippedInARow) +
                         " updates in a row had gradients beyond the precision's range; " +
                         (c.clip > 0 ? "lower lr or scale" : "try clip=1");
}

}  // namespace

bool advance_training(Trainer& trainer, int budget) {
  using Phase = Trainer::Phase;
  const Config& config = trainer.config;
  if (trainer.diverged_at) return false;
  return with_lane(trainer, [&](auto& lane) {
    while (budget > 0) {
      switch (trainer.phase) {
        case Phase::NewBatch: {
          trainer.batch = make_batch(config.task, config.length, config.batch, trainer.data_rng);
          const Mat h0 = Mat::Zero(lane.model.hidden_size, config.batch);
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
          begin_training_backward(lane.model, lane.fwd, lane.bwd, lane.truncated,
                                  config.truncate);
          trainer.phase = Phase::Backward;
          break;
        }
        case Phase::Backward: {  // full BPTT, or truncated to config.truncate steps
          if (!training_backward_steps(lane.model, lane.fwd, lane.bwd, lane.truncated, budget))
            break;
          TrainRecord record;
          record.iteration = static_cast<int>(trainer.history.size()) + 1;
          record.loss = lane.fwd.loss;
          record.accuracy =
              task_accuracy(config.task, trainer.batch, lane.fwd.y.template cast<double>());
          record.grad_norm = clip_by_global_norm(lane.bwd.grads, config.clip);
          record.clipped = clip_factor(record.grad_norm, config.clip) < 1;  // finite norms only
          record.skipped = !std::isfinite(record.grad_norm) || !std::isfinite(record.loss);
          if (!record.skipped) optimizer_step(lane.optimizer, lane.model.params, lane.bwd.grads);
          trainer.history.push_back(record);
          trainer.phase = Phase::NewBatch;
          note_divergence(trainer, lane.fwd.overflow_step);
          return true;
        }
      }
    }
    return false;
  });
}

void train_iterations(Trainer& trainer, int iterations) {
  while (static_cast<int>(trainer.history.size()) < iterations && !trainer.diverged_at)
    advance_training(trainer, 1 << 30);
}

}  // namespace gs
