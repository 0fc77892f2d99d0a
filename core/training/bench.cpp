#include "training/bench.h"

#include <algorithm>
#include <chrono>

#include "model/model.h"
#include "bptt/sequence.h"
#include "training/tasks.h"

namespace gs {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <class T>
double time_bptt_ms_in(const Model& model, const Batch& batch, double min_seconds) {
  const ModelT<T> lane = model_cast<T>(model);
  const Mat h0 = Mat::Zero(model.hidden_size, batch.batch_size());
  const Mat c0 = has_cell_state(model.cell) ? h0 : Mat();
  ForwardPass<T> fwd;
  BackwardPass<T> bwd;
  const auto pass = [&] {
    begin_forward(lane, batch, h0, c0, fwd);
    forward_steps(lane, fwd, fwd.length);
    begin_backward(lane, fwd, bwd);
    backward_steps(lane, fwd, bwd, fwd.length);
  };
  pass();  // allocates the buffers, which later passes reuse (as a trainer's iterations do)
  int runs = 0;
  double seconds = 0;
  const auto start = Clock::now();
  while (seconds < min_seconds || runs < 3) {
    pass();
    ++runs;
    seconds = seconds_since(start);
  }
  return 1000 * seconds / runs;
}

template <class T>
double product_gflops_in(int rows, int inner, int cols, double min_seconds) {
  const MatT<T> a = MatT<T>::Random(rows, inner), b = MatT<T>::Random(inner, cols);
  MatT<T> c = MatT<T>::Zero(rows, cols);
  c.noalias() += a * b;  // warm-up: operands into the caches
  // Accumulating (+=) keeps every product live. Timed in rounds of at least 0.1 s (repeats
  // double until a round is that long, so reading the clock costs nothing next to a
  // microsecond's matrix-vector product); the best round counts: a peak, which a round slowed
  // down by another process on the machine does not lower.
  double best = 0, total = 0;
  for (long repeats = 1; total < min_seconds || best == 0;) {
    const auto start = Clock::now();
    for (long i = 0; i < repeats; ++i) c.noalias() += a * b;
    const double seconds = seconds_since(start);
    total += seconds;
    if (seconds < 0.1)
      repeats *= 2;
    else
      best = std::max(best, 2.0 * rows * inner * cols * repeats / seconds / 1e9);
  }
  volatile T sink = c.sum();  // the result is used, so no compiler may drop the products
  (void)sink;
  return best;
}

}  // namespace

double bptt_flops(CellKind cell, int input_size, int hidden, int steps, int batch) {
  const double gates = gate_count(cell), blocks = recurrent_blocks(cell), i = input_size;
  const double h = h_rows(cell, hidden);  // the LRU's complex units are 2 rows each
  // forward W_hh h, backward W_hh^T dgates and dW_hh: three (R H x H) products per step (R = 0
  // for a cell without W_hh); forward W_ih x and dW_ih: two (G H x I) ones.
  return 2 * h * (3 * blocks * h + 2 * gates * i) * batch * double(steps);
}

double time_bptt_ms(CellKind cell, const Config& config, Precision precision,
                    double min_seconds) {
  Rng rng(config.seed);
  const TaskShape shape = task_shape(config.task, config.length);
  const Model model =
      make_model(cell, shape.input_size, config.hidden, shape.output_size, config, rng);
  const Batch batch = make_batch(config.task, config.length, config.batch, rng);
  return precision == Precision::F32 ? time_bptt_ms_in<float>(model, batch, min_seconds)
                                     : time_bptt_ms_in<double>(model, batch, min_seconds);
}

double product_gflops(int rows, int inner, int cols, Precision precision, double min_seconds) {
  return precision == Precision::F32 ? product_gflops_in<float>(rows, inner, cols, min_seconds)
                                     : product_gflops_in<double>(rows, inner, cols, min_seconds);
}

void print_bench(const Config& config, std::FILE* out) {
  const Precision precision = config.precision;
  const TaskShape shape = task_shape(config.task, config.length);
  std::fprintf(out, "%-12s %6s %7s %6s %14s %14s %9s %8s\n", "cell", "hidden", "length", "batch",
               "ms/fwd+bwd", "steps/s", "precision", "GFLOP/s");
  for (CellKind cell : config.cells) {
    const double ms = time_bptt_ms(cell, config, precision);
    const double flops =
        bptt_flops(cell, shape.input_size, config.hidden, shape.steps, config.batch);
    std::fprintf(out, "%-12s %6d %7d %6d %14.3f %14.0f %9s %8.2f\n", cell_name(cell),
                 config.hidden, shape.steps, config.batch, ms, shape.steps / (ms / 1000),
                 precision_name(precision), flops / (ms / 1000) / 1e9);
    std::fflush(out);  // a row as soon as it is measured
  }
  // GFLOP/s above counts matrix products only (bptt_flops); these are what Eigen reaches on
  // products alone: the largest W_hh product of a step at this size, and a large square one.
  const int h = config.hidden, b = config.batch;
  const double step_product = product_gflops(4 * h, h, b, precision);
  std::fprintf(out, "# Eigen alone, %s: (%d x %d) times (%d x %d), repeated: %.2f GFLOP/s "
               "(an LSTM's W_hh h at this hidden and batch)\n",
               precision_name(precision), 4 * h, h, h, b, step_product);
  const double square = product_gflops(1024, 1024, 1024, precision);
  std::fprintf(out, "# Eigen alone, %s: (1024 x 1024) times (1024 x 1024), repeated: %.2f GFLOP/s "
               "(a large product, for scale)\n",
               precision_name(precision), square);
}

}  // namespace gs
