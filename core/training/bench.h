// The speed benchmark: forward + full BPTT of one minibatch per cell, timed, with the work it
// does in floating-point operations, next to what Eigen reaches on a plain matrix product of the
// same size on the same machine. One routine for the native CLI (`gradscope bench`) and the
// WebAssembly build run under node (bench/wasm_bench.cpp), so both print the same table.
#pragma once
#include <cstdio>
#include <string>

#include "model/config.h"

namespace gs {

// What `gradscope bench` measures when no key says otherwise: the gradient probe's shape.
inline constexpr const char* kBenchDefaults =
    "cell=rnn-tanh,lstm,gru&hidden=128&length=1000&batch=1";

// Floating-point operations of one forward + full BPTT over `steps` steps of `batch` sequences,
// counting the matrix products only, per step: W_hh h (2 R H H B), W_ih x (2 G H I B), W_hh^T
// dgates (2 R H H B), dW_hh (2 R H H B) and dW_ih (2 G H I B), with G = gate_count(cell) (RNN 1,
// LSTM 4, GRU 3, minGRU 2, minLSTM 3) and R = recurrent_blocks(cell) (G, or 0 without W_hh).
// The elementwise work (nonlinearities, gate products), the readout and the loss
// are not counted: at H = 128 they are a few percent of the total.
double bptt_flops(CellKind cell, int input_size, int hidden, int steps, int batch);

// Milliseconds per forward + full BPTT of one minibatch of `config.task` with `config`'s hidden,
// length and batch, in `precision` (F32 or F64): one untimed pass (it sizes the buffers), then
// passes repeated for at least `min_seconds`.
double time_bptt_ms(CellKind cell, const Config& config, Precision precision,
                    double min_seconds = 1.0);

// GFLOP/s of Eigen's product of a (rows x inner) matrix by an (inner x cols) one (cols = 1: a
// matrix-vector product), the same operands over and over for at least `min_seconds`, the best
// of rounds of 0.1 s: the speed a BPTT step's products could reach at that size in `precision`
// on this machine.
double product_gflops(int rows, int inner, int cols, Precision precision,
                      double min_seconds = 0.5);

// The table of `gradscope bench`, one row per cell of `config`, in config.precision:
//   cell hidden length batch ms/fwd+bwd steps/s precision GFLOP/s
// then two '#' lines with product_gflops() at the LSTM's W_hh product ((4 H x H) times
// (H x batch)) and at a 1024 x 1024 square product, for scale.
void print_bench(const Config& config, std::FILE* out);

}  // namespace gs
