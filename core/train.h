// Live training of one cell on one task: fresh random minibatches, forward, BPTT, clipping, an
// optimizer step. Advanced in slices of time steps so a browser frame never blocks for long.
#pragma once
#include <vector>

#include "optimizer.h"
#include "sequence.h"
#include "tasks.h"

namespace gs {

struct TrainRecord {
  int iteration = 0;
  double loss = 0;       // minibatch loss before the update (fresh data: a held-out estimate)
  double grad_norm = 0;  // global norm before clipping; inf/NaN reported as such
  double accuracy = 0;   // task_accuracy on the minibatch
  bool skipped = false;  // non-finite gradient: no update was made
};

struct Trainer {
  CellKind cell = CellKind::Lstm;
  Config config;
  TaskShape shape;
  Model model;
  Optimizer optimizer;
  Rng data_rng{0};
  Batch batch;
  ForwardPass fwd;
  BackwardPass bwd;
  enum class Phase { NewBatch, Forward, Backward } phase = Phase::NewBatch;
  std::vector<TrainRecord> history;
};

// Model drawn from the same seed stream as the decay probe (same cell, config and seed give the
// same initial weights); minibatches from their own stream.
Trainer make_trainer(CellKind cell, const Config& config);

// Advances by up to `budget` time steps of forward or backward work, stopping early when an
// iteration completes (its update done, recorded in history). Returns whether one completed.
bool advance_training(Trainer& trainer, int budget);

// Runs whole iterations until `iterations` are recorded in total.
void train_iterations(Trainer& trainer, int iterations);

}  // namespace gs
