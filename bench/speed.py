#!/usr/bin/python3
"""`make bench`: one table of forward + full BPTT speed, gradscope native (f32 and f64),
gradscope compiled to WebAssembly and run by node, and PyTorch (f32 and f64), all on the same
shapes in the same run, with what gradscope achieves against the machine's measured matrix-product
peak.

    /usr/bin/python3 bench/speed.py [--cli PATH] [--wasm PATH]    (make bench builds both first)

Two workloads, hidden 128 on the adding task (input size 2): the training shape (T = 200,
batch 32) and the gradient probe's shape (T = 1000, batch 1). Everything runs on one thread.
PyTorch is Debian's python3-torch (it needs libopenblas0-pthread: with the reference BLAS it is
6-9x slower and the comparison meaningless); without it, or without the wasm build, those columns
are '-' and a note says why. Timing is noisy on a shared machine: read ratios within one run.
"""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

# Before torch loads OpenBLAS: one thread, as gradscope.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
try:
    import torch
except ImportError:
    torch = None

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIDDEN, INPUT = 128, 2  # the adding task's input: (value, marker)
CELLS = ["rnn-tanh", "lstm", "gru", "mingru", "minlstm", "lru"]
# (name, length T, batch B); the peak each is held against: GEMM at batch 32, GEMV at batch 1.
WORKLOADS = [("training", 200, 32), ("probe", 1000, 1)]
PEAK_LINE = re.compile(r"^# Eigen alone, (\w+): \((\d+) x (\d+)\) times \((\d+) x (\d+)\), "
                       r"repeated: ([\d.]+) GFLOP/s")


def run_bench(command, length, batch, precision):
    """Runs `gradscope bench` (native or wasm) on one workload, three cells at a time (the
    memory limit counts the cells of one run together). Returns ({cell: (ms, GFLOP/s)},
    {(rows, inner, cols): GFLOP/s}) from its tables and its '#' lines."""
    rows, peaks = {}, {}
    for group in (CELLS[:3], CELLS[3:]):
        more_rows, more_peaks = run_bench_cells(command, group, length, batch, precision)
        rows.update(more_rows)
        for size, gflops in more_peaks.items():
            peaks[size] = max(gflops, peaks.get(size, 0))
    return rows, peaks


def run_bench_cells(command, cells, length, batch, precision):
    args = command + [f"cell={','.join(cells)}", f"hidden={HIDDEN}", f"length={length}",
                      f"batch={batch}", f"precision={precision}"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rows, peaks = {}, {}
    for line in out.splitlines():  # the CLI's first line is '# gradscope <version> config=...'
        peak = PEAK_LINE.match(line)
        if peak:
            m, k, _, n = (int(peak.group(i)) for i in (2, 3, 4, 5))
            peaks[(m, k, n)] = float(peak.group(6))
        elif line and not line.startswith("#") and not line.startswith("cell "):  # not the header
            # cell hidden length batch ms/fwd+bwd steps/s precision GFLOP/s
            fields = line.split()
            rows[fields[0]] = (float(fields[4]), float(fields[7]))
    return rows, peaks


TORCH_MODULES = {"rnn-tanh": "RNN", "lstm": "LSTM", "gru": "GRU"}


class MinimalCell(torch.nn.Module if torch else object):
    """minGRU / minLSTM as lucidrains/minGRU-pytorch runs them on a whole sequence: its parallel
    mode, Heinsen's log-space scan (cumsum and logcumsumexp over time, no Python loop), from
    h_0 = 0. The fastest way torch has to run them, so the fair baseline."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell
        self.linear = torch.nn.Linear(INPUT, (2 if cell == "mingru" else 3) * HIDDEN)

    @staticmethod
    def log_g(v):
        return torch.where(v >= 0, torch.log(torch.relu(v) + 0.5), -torch.nn.functional.softplus(-v))

    def forward(self, x):  # x (T, B, I) -> (h_1 .. h_T, None)
        softplus = torch.nn.functional.softplus
        parts = self.linear(x)
        if self.cell == "mingru":
            hidden, gate = parts.chunk(2, dim=-1)
            log_coeffs, log_values = -softplus(gate), -softplus(-gate) + self.log_g(hidden)
        else:
            hidden, f, i = parts.chunk(3, dim=-1)
            diff = softplus(-f) - softplus(-i)
            log_coeffs, log_values = -softplus(diff), -softplus(-diff) + self.log_g(hidden)
        a_star = log_coeffs.cumsum(dim=0)
        return (a_star + torch.logcumsumexp(log_values - a_star, dim=0)).exp(), None


class LRU(torch.nn.Module if torch else object):
    """The LRU (Orvieto et al. 2023), HIDDEN complex units, on a whole sequence in convolution
    mode: lambda is the same at every step, so h = the causal convolution of gamma B x_t with
    the kernel lambda^k, done by FFT in O(T log T) with no Python loop (as S4-style code runs a
    time-invariant recurrence; stable, since |lambda^k| <= 1). Output [Re h, Im h], as
    gradscope's state."""

    def __init__(self):
        super().__init__()
        n, p = HIDDEN, torch.nn.Parameter
        modulus2 = torch.rand(n) * (0.999 ** 2 - 0.9 ** 2) + 0.9 ** 2
        self.nu_log = p(torch.log(-0.5 * torch.log(modulus2)))
        self.theta_log = p(torch.log(0.314159 * torch.rand(n)))
        self.gamma_log = p(0.5 * torch.log1p(-modulus2))
        self.B_re = p(torch.randn(n, INPUT) / (2 * INPUT) ** 0.5)
        self.B_im = p(torch.randn(n, INPUT) / (2 * INPUT) ** 0.5)

    def forward(self, x):  # x (T, B, I) -> (h_1 .. h_T as [Re, Im], None)
        steps = x.shape[0]
        log_lambda = torch.complex(-torch.exp(self.nu_log), torch.exp(self.theta_log))
        b = torch.complex(self.B_re, self.B_im) * torch.exp(self.gamma_log).unsqueeze(-1)
        u = x.to(b.dtype) @ b.T                                            # (T, B, N)
        k = torch.arange(steps, dtype=x.dtype).unsqueeze(-1)
        kernel = torch.exp(k * log_lambda)                                 # (T, N): lambda^k
        n_fft = 2 * steps
        h = torch.fft.ifft(torch.fft.fft(u, n=n_fft, dim=0) *
                           torch.fft.fft(kernel, n=n_fft, dim=0).unsqueeze(1), dim=0)[:steps]
        return torch.cat([h.real, h.imag], dim=-1), None


def time_torch(cell, length, batch, dtype):
    """ms per forward + full BPTT in PyTorch: the recurrent layer, a Linear readout of the last
    step, MSE loss, backward; a warm-up, then repeated for at least a second."""
    torch.manual_seed(0)
    layer = (MinimalCell(cell) if cell.startswith("min") else LRU() if cell == "lru"
             else getattr(torch.nn, TORCH_MODULES[cell])(INPUT, HIDDEN)).to(dtype)
    readout = torch.nn.Linear(2 * HIDDEN if cell == "lru" else HIDDEN, 1).to(dtype)
    x = torch.rand(length, batch, INPUT, dtype=dtype)
    target = torch.rand(batch, 1, dtype=dtype)

    def one_pass():
        out, _ = layer(x)
        loss = torch.nn.functional.mse_loss(readout(out[-1]), target)
        layer.zero_grad()
        readout.zero_grad()
        loss.backward()

    for _ in range(3):
        one_pass()
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0 or runs < 3:
        one_pass()
        runs += 1
    return 1000 * (time.perf_counter() - start) / runs


def version_of(command):
    """The first x.y.z in what `command` prints, or '?'."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        return re.search(r"\d+(\.\d+)+", out.stdout + out.stderr).group(0)
    except (OSError, AttributeError):
        return "?"


def cpu_model():
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                key, value = (part.strip() for part in line.split(":", 1))
                fields.setdefault(key, value)
    vector = "AVX-512" if "avx512f" in fields.get("flags", "").split() else \
        "AVX2" if "avx2" in fields.get("flags", "").split() else "no AVX2"
    return (f"{fields.get('model name', '?')} (family {fields.get('cpu family', '?')} model "
            f"{fields.get('model', '?')}, {vector}), {os.cpu_count()} CPUs")


def eigen_version():
    try:
        text = open("/usr/include/eigen3/Eigen/src/Core/util/Macros.h").read()
        return ".".join(re.search(rf"#define EIGEN_{part}_VERSION (\d+)", text).group(1)
                        for part in ("WORLD", "MAJOR", "MINOR"))
    except (OSError, AttributeError):
        return "?"


def print_header(notes):
    revision = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                              text=True, cwd=REPO).stdout.strip() or "?"
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print("gradscope speed: forward + full BPTT of one minibatch, hidden 128, adding task, "
          "one thread")
    print(f"date     {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"CPU      {cpu_model()}")
    print(f"versions gradscope {revision}, g++ {version_of(['g++', '--version'])}, "
          f"Eigen {eigen_version()}, em++ {version_of(['em++', '--version'])}, "
          f"node {version_of(['node', '--version'])}, Python {sys.version.split()[0]}, "
          f"PyTorch {torch.__version__ if torch else '-'} (Debian python3-torch "
          f"{version_of(['dpkg-query', '-W', 'python3-torch'])}, BLAS {blas})")
    for note in notes:
        print(f"note     {note}")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", default=os.path.join(REPO, "build/native/gradscope"))
    parser.add_argument("--wasm", default=os.path.join(REPO, "build/web/bench.js"))
    args = parser.parse_args()

    native = [args.cli, "bench"]
    wasm = ["node", "--no-experimental-fetch", args.wasm]
    notes = []
    if not os.path.exists(args.wasm) or not shutil.which("node"):
        notes.append(f"no wasm column: {args.wasm} or node is missing (make bench builds it)")
        wasm = None
    if torch is None:
        notes.append(f"no PyTorch columns: `import torch` failed under {sys.executable} "
                     "(Debian: apt-get install python3-torch)")
    else:
        torch.set_num_threads(1)
    print_header(notes)

    columns = ["native f32", "native f64", "wasm f32", "torch f32", "torch f64",
               "torch/native", "GFLOP/s", "% peak"]
    print(f"{'workload':<20} {'cell':<9}" + "".join(f" {c:>12}" for c in columns))
    peaks = {}  # what -> GFLOP/s of Eigen's f32 products alone, from the same runs
    square = wasm_square = 0
    for name, length, batch in WORKLOADS:
        f32, f32_peaks = run_bench(native, length, batch, "f32")
        f64, _ = run_bench(native, length, batch, "f64")
        web, web_peaks = run_bench(wasm, length, batch, "f32") if wasm else ({}, {})
        step_product = f32_peaks[(4 * HIDDEN, HIDDEN, batch)]
        kind = "GEMV" if batch == 1 else "GEMM"
        peaks[f"{kind} ({4 * HIDDEN} x {HIDDEN}) times ({HIDDEN} x {batch})"] = step_product
        square = max(square, f32_peaks[(1024, 1024, 1024)])
        wasm_square = max(wasm_square, web_peaks.get((1024, 1024, 1024), 0))
        for cell in CELLS:
            ms, gflops = f32[cell]
            t32 = time_torch(cell, length, batch, torch.float32) if torch else None
            t64 = time_torch(cell, length, batch, torch.float64) if torch else None
            values = [ms, f64[cell][0], web[cell][0] if web else None, t32, t64,
                      t32 / ms if t32 else None]
            cells = [f"{v:12.2f}" if v is not None else f"{'-':>12}" for v in values]
            cells += [f"{gflops:12.1f}", f"{100 * gflops / step_product:11.0f}%"]
            workload = f"{name} T={length} B={batch}"
            print(f"{workload:<20} {cell:<9} " + " ".join(cells), flush=True)

    print()
    print(textwrap.fill(
        "ms per forward + full BPTT of one minibatch, lower is better. native: "
        "build/native/gradscope bench (f32 is its default precision); wasm: the same code as "
        "WebAssembly under node; torch: torch.nn.RNN/LSTM/GRU (minGRU, minLSTM: minGRU-pytorch's "
        "parallel log-space scan; LRU: HIDDEN complex units in convolution mode by FFT), a Linear "
        "readout of the last step, "
        "MSE, backward(). torch/native: torch f32 / native f32, the speedup. GFLOP/s: native f32, "
        "matrix products only (2 H B (3 R H + 2 G I) per step, G = 1, 4, 3, 2, 3 gate blocks for "
        "RNN, LSTM, GRU, minGRU, minLSTM, R = G blocks of W_hh, 0 for the minimal cells; the LRU: "
        "G = 1 block of 2H rows, R = 0), "
        "elementwise work not counted. % peak: of Eigen's f32 product alone at an LSTM step's "
        "size, measured in this run, GEMM for the training shape and GEMV for the probe shape:",
        100))
    for what, gflops in peaks.items():
        print(f"  native f32 {what}: {gflops:.1f} GFLOP/s")
    print(f"  for scale, native f32 GEMM 1024^3: {square:.1f} GFLOP/s")
    if wasm_square:
        print(f"  for scale, wasm f32 GEMM 1024^3: {wasm_square:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
