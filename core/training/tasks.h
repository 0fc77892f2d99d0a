// Tasks that need long memory, each with the loss a model gets without any memory (chance), so a
// training curve can be read against it.
//
// - adding (Hochreiter & Schmidhuber 1997; setup of Le et al. 2015): T steps of (value ~ U(0,1),
//   marker), exactly two markers, one in each half; predict the sum of the two marked values at
//   the last step (MSE). Chance: always predicting 1 gives E[(s - 1)^2] = Var(s) = 1/6 ~ 0.167.
// - copy (Arjovsky et al. 2016): 10 symbols from 1..8, T-1 blanks, a delimiter, 10 blanks (T + 20
//   steps); output blanks, then the 10 symbols in the last 10 steps (cross-entropy over all
//   steps). Chance: blanks, then uniform guesses: 10 ln 8 / (T + 20).
// - remember-first: a marked symbol from 4 at step 1, then T-1 unmarked random symbols; predict
//   the marked one at the last step (cross-entropy). Chance: ln 4 ~ 1.386.
#pragma once
#include "model/config.h"
#include "model/rng.h"
#include "bptt/sequence.h"

namespace gs {

struct TaskShape {
  int input_size = 0;
  int output_size = 0;
  int steps = 0;  // sequence length in steps (copy: T + 20)
  LossKind loss = LossKind::Mse;
  double chance_loss = 0;  // the loss of the best predictor that remembers nothing
};

TaskShape task_shape(TaskKind task, int length);

// A fresh batch of `batch_size` random sequences.
Batch make_batch(TaskKind task, int length, int batch_size, Rng& rng);

// Fraction of scored outputs predicted right (classification: argmax == target; adding: within
// 0.04 of the sum, as in Le et al.'s plots); for reporting only. outputs: (O, T B), step t in
// columns t B .. t B + B - 1 (ForwardPass::y).
double task_accuracy(TaskKind task, const Batch& batch, const Mat& outputs);

}  // namespace gs
