#include "training/tasks.h"

#include <cmath>

namespace gs {

namespace {

const int kCopySymbols = 10;  // how many symbols the copy task must remember
const int kCopyAlphabet = 8;  // data symbols 1..8; 0 is blank, 9 the delimiter
const int kFirstClasses = 4;  // remember-first: symbols 0..3, plus one marker channel

Batch empty_batch(const TaskShape& shape, int batch_size) {
  Batch batch;
  batch.loss = shape.loss;
  batch.inputs.assign(shape.steps, Mat::Zero(shape.input_size, batch_size));
  batch.targets.assign(shape.steps, Mat());
  return batch;
}

// The target at step t, allocated (zero) the first time a sequence of the batch scores it.
Mat& scored_target(Batch& batch, int t, int output_size) {
  if (batch.targets[t].size() == 0) batch.targets[t] = Mat::Zero(output_size, batch.batch_size());
  return batch.targets[t];
}

}  // namespace

TaskShape task_shape(TaskKind task, int length) {
  switch (task) {
    case TaskKind::Adding: return {2, 1, length, LossKind::Mse, 1.0 / 6.0};
    case TaskKind::Copy:
      return {kCopyAlphabet + 2, kCopyAlphabet + 1, length + 2 * kCopySymbols,
              LossKind::CrossEntropy,
              kCopySymbols * std::log(double(kCopyAlphabet)) / (length + 2 * kCopySymbols)};
    case TaskKind::RememberFirst:
      return {kFirstClasses + 1, kFirstClasses, length, LossKind::CrossEntropy,
              std::log(double(kFirstClasses))};
  }
  return {};
}

Batch make_batch(TaskKind task, int length, int batch_size, Rng& rng) {
  const TaskShape shape = task_shape(task, length);
  Batch batch = empty_batch(shape, batch_size);
  const int T = shape.steps;
  for (int b = 0; b < batch_size; ++b) {  // one sequence at a time: draws in a fixed order
    switch (task) {
      case TaskKind::Adding: {
        const int first = static_cast<int>(rng.below(T / 2));
        const int second = T / 2 + static_cast<int>(rng.below(T - T / 2));
        real sum = 0;
        for (int t = 0; t < T; ++t) {
          batch.inputs[t](0, b) = rng.uniform();
          if (t == first || t == second) {
            batch.inputs[t](1, b) = 1;
            sum += batch.inputs[t](0, b);
          }
        }
        scored_target(batch, T - 1, 1)(0, b) = sum;
        break;
      }
      case TaskKind::Copy: {
        int symbols[kCopySymbols];
        for (int& symbol : symbols) symbol = 1 + static_cast<int>(rng.below(kCopyAlphabet));
        const int recall_start = T - kCopySymbols;
        for (int t = 0; t < T; ++t) {
          int input = 0, output = 0;  // blank in, blank out
          if (t < kCopySymbols) input = symbols[t];
          if (t == recall_start - 1) input = kCopyAlphabet + 1;  // delimiter: "now recall"
          if (t >= recall_start) output = symbols[t - recall_start];
          batch.inputs[t](input, b) = 1;
          scored_target(batch, t, shape.output_size)(output, b) = 1;
        }
        break;
      }
      case TaskKind::RememberFirst: {
        const int label = static_cast<int>(rng.below(kFirstClasses));
        batch.inputs[0](label, b) = 1;
        batch.inputs[0](kFirstClasses, b) = 1;  // the marker: "this is the one"
        for (int t = 1; t < T; ++t) batch.inputs[t](rng.below(kFirstClasses), b) = 1;
        scored_target(batch, T - 1, kFirstClasses)(label, b) = 1;
        break;
      }
    }
  }
  return batch;
}

double task_accuracy(TaskKind task, const Batch& batch, const Mat& outputs) {
  long right = 0, total = 0;
  const int B = batch.batch_size();
  for (int t = 0; t < batch.length(); ++t) {
    if (batch.targets[t].size() == 0) continue;
    for (Eigen::Index b = 0; b < B; ++b, ++total) {
      const auto output = outputs.col(t * B + b);
      if (task == TaskKind::Adding) {
        right += std::abs(output(0) - batch.targets[t](0, b)) < 0.04;
      } else {
        Eigen::Index predicted, wanted;
        output.maxCoeff(&predicted);
        batch.targets[t].col(b).maxCoeff(&wanted);
        right += predicted == wanted;
      }
    }
  }
  return total ? double(right) / total : 0.0;
}

}  // namespace gs
