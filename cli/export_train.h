// `gradscope train --export FILE.json`: everything needed to replay a training run elsewhere
// (tests/reference/replay_training.py replays it with torch.nn and torch.optim): per cell the
// config, the optimizer's hyperparameters, the initial weights in PyTorch's names, every minibatch
// the trainer drew, in order, with per iteration the loss, the gradient norm before clipping and
// whether the update was clipped or skipped, and the final weights.
//
// The file is written as training goes (a minibatch is not kept after its iteration), so its size
// is not bounded by memory: about 23 MB per cell at the defaults (600 iterations of 32 sequences
// of 50 steps with 2 inputs, measured), nearly all of it the inputs.
#pragma once
#include <cstdio>
#include <string>

#include "training/train.h"

namespace gs {

class TrainExport {
 public:
  TrainExport() = default;
  TrainExport(const TrainExport&) = delete;
  TrainExport& operator=(const TrainExport&) = delete;
  ~TrainExport();

  // Opens `path` for writing and writes the header through to the file. Returns "" or a
  // one-line error.
  std::string open(const std::string& path, const Config& config);
  // A cell's config and initial weights: call before its first iteration.
  void begin_cell(const Trainer& trainer);
  // The iteration just completed: trainer.history.back() and the minibatch it trained on
  // (trainer.batch, still the one of that iteration).
  void iteration(const Trainer& trainer);
  // The final weights.
  void end_cell(const Trainer& trainer);
  // Closes the JSON and the file. Returns "" or a one-line error (a failed write, e.g. a full
  // disk, is reported here if not before).
  std::string close();
  // The first write error so far, or "".
  const std::string& error() const { return error_; }

 private:
  void flush();
  std::FILE* file_ = nullptr;
  std::string path_, buffer_, error_;
  int cells_ = 0, iterations_ = 0;
};

}  // namespace gs
