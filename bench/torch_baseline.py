#!/usr/bin/python3
"""Speed baseline: forward + full BPTT of one sequence in PyTorch (float64 and float32, CPU), the
same shapes as `gradscope bench`, printed next to gradscope's own numbers from one run.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_baseline.py [build/native/gradscope]

Needs Debian's python3-torch (and libopenblas0-pthread: with the reference BLAS torch is 6-9x
slower and the comparison meaningless). Not part of `make test`.
"""
import subprocess
import sys
import time

import torch

torch.set_num_threads(1)
CLI = sys.argv[1] if len(sys.argv) > 1 else "build/native/gradscope"
HIDDEN, LENGTH, BATCH = 128, 1000, 1
MODULES = {"rnn-tanh": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def time_torch(cell, dtype):
    torch.manual_seed(0)
    layer = MODULES[cell](2, HIDDEN).to(dtype)
    readout = torch.nn.Linear(HIDDEN, 1).to(dtype)
    x = torch.rand(LENGTH, BATCH, 2, dtype=dtype)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0 or runs < 3:
        out, _ = layer(x)
        loss = readout(out[-1]).pow(2).sum()
        layer.zero_grad()
        loss.backward()
        runs += 1
    return 1000 * (time.perf_counter() - start) / runs


def time_gradscope():
    out = subprocess.run([CLI, "bench", "--cell", ",".join(MODULES), "--hidden", str(HIDDEN),
                          "--length", str(LENGTH), "--batch", str(BATCH)],
                         check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[1:]]
    return {row[0]: float(row[4]) for row in rows}


ours = time_gradscope()
print(f"forward + full BPTT, H={HIDDEN}, T={LENGTH}, batch {BATCH}, one thread, ms per sequence")
print(f"{'cell':<10} {'gradscope f64':>14} {'torch f64':>10} {'torch f32':>10} {'torch f64 / gradscope':>22}")
for cell in MODULES:
    t64, t32 = time_torch(cell, torch.float64), time_torch(cell, torch.float32)
    print(f"{cell:<10} {ours[cell]:>14.1f} {t64:>10.1f} {t32:>10.1f} {t64 / ours[cell]:>22.1f}")
