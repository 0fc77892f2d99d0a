#include "train.h"

#include <cmath>

#include "decay.h"

namespace gs {

Trainer make_trainer(CellKind cell, const Config& config) {
  Trainer trainer;
  trainer.cell = cell;
  trainer.config = config;
  trainer.shape = task_shape(config.task, config.length);
  Rng model_rng(model_seed(config.seed));
  trainer.model = make_model(cell, trainer.shape.input_size, config.hidden,
                             trainer.shape.output_size, config, model_rng);
  trainer.optimizer = make_optimizer(config, trainer.model.params);
  trainer.data_rng = Rng(data_seed(config.seed) ^ 0x7261696e696e67ULL);  // "raining": own stream
  return trainer;
}

bool advance_training(Trainer& trainer, int budget) {
  using Phase = Trainer::Phase;
  const Config& config = trainer.config;
  while (budget > 0) {
    switch (trainer.phase) {
      case Phase::NewBatch: {
        trainer.batch = make_batch(config.task, config.length, config.batch, trainer.data_rng);
        const Mat h0 = Mat::Zero(config.hidden, config.batch);
        begin_forward(trainer.model, trainer.batch, h0, has_cell_state(trainer.cell) ? h0 : Mat(),
                      trainer.fwd);
        trainer.phase = Phase::Forward;
        break;
      }
      case Phase::Forward: {
        const int before = trainer.fwd.steps_done;
        const bool done = forward_steps(trainer.model, trainer.batch, trainer.fwd, budget);
        budget -= trainer.fwd.steps_done - before;
        if (!done) break;
        begin_backward(trainer.model, trainer.batch, trainer.bwd);
        trainer.phase = Phase::Backward;
        break;
      }
      case Phase::Backward: {
        const int before = trainer.bwd.steps_left;
        const bool done =
            backward_steps(trainer.model, trainer.batch, trainer.fwd, trainer.bwd, budget);
        budget -= before - trainer.bwd.steps_left;
        if (!done) break;
        TrainRecord record;
        record.iteration = static_cast<int>(trainer.history.size()) + 1;
        record.loss = trainer.fwd.loss;
        record.accuracy = task_accuracy(config.task, trainer.batch, trainer.fwd.y);
        record.grad_norm = clip_by_global_norm(trainer.bwd.grads, config.clip);
        record.skipped = !std::isfinite(record.grad_norm);
        if (!record.skipped)
          optimizer_step(trainer.optimizer, trainer.model.params, trainer.bwd.grads);
        trainer.history.push_back(record);
        trainer.fwd = ForwardPass();   // the caches are rebuilt by the next batch; between
        trainer.bwd = BackwardPass();  // iterations the trainer holds only the model
        trainer.phase = Phase::NewBatch;
        return true;
      }
    }
  }
  return false;
}

void train_iterations(Trainer& trainer, int iterations) {
  while (static_cast<int>(trainer.history.size()) < iterations) advance_training(trainer, 1 << 30);
}

}  // namespace gs
