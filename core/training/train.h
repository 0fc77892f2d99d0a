// Live training of one cell on one task: fresh random minibatches, forward, BPTT, clipping, an
// optimizer step. Advanced in slices of time steps so that the caller can interleave other work.
#pragma once
#include <string>
#include <vector>

#include "training/optimizer.h"
#include "bptt/sequence.h"
#include "training/tasks.h"
#include "training/truncation.h"

namespace gs {

struct TrainRecord {
  int iteration = 0;
  double loss = 0;       // minibatch loss before the update (fresh data: a held-out estimate)
  double grad_norm = 0;  // global norm before clipping; inf/NaN reported as such
  double accuracy = 0;   // task_accuracy on the minibatch
  bool clipped = false;  // the gradient was scaled down (clip_factor < 1, clip_grad_norm_'s rule)
  bool skipped = false;  // non-finite loss or gradient: no update was made

  // The fields the compute worker's messages carry, in order (web/worker/wire.h).
  template <class F>
  void visit(F&& f) {
    f("iteration", iteration);
    f("loss", loss);
    f("grad_norm", grad_norm);
    f("accuracy", accuracy);
    f("clipped", clipped);
    f("skipped", skipped);
  }
};

// A run stops when its loss is not finite, or after this many updates in a row were skipped for
// non-finite gradients: it has diverged, which is a finding about the configuration.
const int kMaxSkippedInARow = 10;

// The training state in one precision: the model, its optimizer, and the buffers of the
// minibatch in progress (kept from one iteration to the next: same shapes, no new memory).
template <class T>
struct TrainLane {
  ModelT<T> model;
  OptimizerT<T> optimizer;
  ForwardPass<T> fwd;
  BackwardPass<T> bwd;
  TruncatedBackward<T> truncated;  // with config.truncate (truncation.h)
};

struct Trainer {
  CellKind cell = CellKind::Lstm;
  Config config;
  TaskShape shape;
  Precision precision = Precision::F32;  // config.precision
  Rng data_rng{0};
  Batch batch;
  enum class Phase { NewBatch, Forward, Backward } phase = Phase::NewBatch;
  std::vector<TrainRecord> history;
  int skipped_in_a_row = 0;
  int diverged_at = 0;     // the iteration at which the run stopped, 0 while it goes on
  std::string divergence;  // what happened then, e.g. "the loss is not finite"
  TrainLane<double> f64;  // only the lane of `precision` is used
  TrainLane<float> f32;
};

// Calls f(lane) with the trainer's lane in its precision.
template <class F>
decltype(auto) with_lane(Trainer& trainer, F&& f) {
  return trainer.precision == Precision::F32 ? f(trainer.f32) : f(trainer.f64);
}
template <class F>
decltype(auto) with_lane(const Trainer& trainer, F&& f) {
  return trainer.precision == Precision::F32 ? f(trainer.f32) : f(trainer.f64);
}

// Model drawn from the same seed stream as the decay probe (same cell, config and seed give the
// same initial weights, rounded to float32 if it trains in float32); minibatches from their own
// stream.
Trainer make_trainer(CellKind cell, const Config& config);
// The same, starting from `model` (e.g. one read from a file, own_model.h) instead of a drawn
// one: its input and output sizes must be the task's. Minibatches as above.
Trainer make_trainer(const Model& model, const Config& config);

// The current weights, in double (exact for float32).
Model trained_model(const Trainer& trainer);

// Advances by up to `budget` time steps of forward or backward work, stopping early when an
// iteration completes (its update done, recorded in history). Returns whether one completed;
// a diverged run does nothing.
bool advance_training(Trainer& trainer, int budget);

// Runs whole iterations until `iterations` are recorded in total, or the run diverges.
void train_iterations(Trainer& trainer, int iterations);

}  // namespace gs
