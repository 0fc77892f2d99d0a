"""Recomputes a `gradscope spectrum --export FILE.json` record independently with PyTorch
(float64): the step Jacobians by autograd, their singular values, and the Lyapunov exponents.

    gradscope spectrum --cell lstm --hidden 32 --length 300 --precision f64 --export /tmp/s.json
    /usr/bin/python3 tests/reference/check_spectrum.py /tmp/s.json [--tol 1e-9]

From the export's weights (PyTorch names), inputs and h0 (and c0) it runs the forward pass with
torch's own modules (torch_cells.Stepper: nn.RNN, nn.LSTM, nn.GRU; sigmoid and identity RNNs
written out), takes each step's Jacobian J_t = ds_t/ds_{t-1} (s = h, or (h, c) for the LSTM) with
torch.autograd.functional.jacobian (none of gradscope's formulas), and compares
- the singular values at the export's singular_value_steps (torch.linalg.svdvals; the top k when
  the export has only the largest): worst |difference| / sv1 of the step;
- the eigenvalues at those steps, where the export has them (state size up to 128): numpy's of
  the same J_t, matched as multisets: worst distance / the largest modulus;
- the Lyapunov exponents: numpy's QR iteration over every step from Q_0 = the first k columns of
  I, exponent_i = sum_t log|R_t,ii| / T, sorted: worst |difference| in nats per step. Where J_t
  has z exactly zero rows (dead ReLUs) the k - (n - z) smallest |R_ii| are exactly 0 (rank), not
  the ~1e-16 rounding leaves: both sides set them so (else two QRs disagree in their noise).
Prints both; exit 0 if both <= tol, 1 if not, 2 if the file cannot be read. Use an f64 export for
a tight check (an f32 export's forward pass ran in float32: expect ~1e-6). Needs Debian's
python3-torch (run under /usr/bin/python3).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cells import CELLS, LRU_NAMES, MIN_CELLS, Stepper  # noqa: E402


def as_number(value):
    """The export's encoding (core/io/number_format.h): null is an exactly zero quantity (for a log:
    -inf), the string "overflow" is beyond range."""
    if value is None:
        return -math.inf
    if isinstance(value, str):
        return math.nan
    return float(value)


def jacobians(record):
    """Every step's Jacobian, t = 1..T, as numpy arrays (n x n), from torch's forward pass."""
    cell, weights = record["cell"], record["weights"]
    if cell == "lru":  # its reference's names; the state is [Re h, Im h]
        stepper = Stepper(cell, {k: weights[k] for k in LRU_NAMES})
    elif cell in MIN_CELLS:  # one Linear, <name>.weight and .bias
        linear = MIN_CELLS[cell][0]
        stepper = Stepper(cell, {k: v for k, v in weights.items() if k.startswith(linear + ".")})
    elif cell in CELLS:
        stepper = Stepper(cell, {k: v for k, v in weights.items() if k.endswith("_l0")})
    else:
        raise ValueError(f"unknown cell {cell!r}")
    hidden = record["hidden_size"]
    inputs = torch.tensor(record["inputs"], dtype=torch.float64)  # (T, I)
    lstm = cell == "lstm"
    state = torch.tensor(record["h0"], dtype=torch.float64)
    if lstm:
        state = torch.cat([state, torch.tensor(record["c0"], dtype=torch.float64)])

    def step(x):
        def f(s):
            parts = (s[:hidden].unsqueeze(0),) + ((s[hidden:].unsqueeze(0),) if lstm else ())
            return torch.cat([p[0] for p in stepper.step(x.unsqueeze(0), parts)])
        return f

    out = []
    for t in range(inputs.shape[0]):
        f = step(inputs[t])
        j = torch.autograd.functional.jacobian(f, state)
        out.append(j.detach().numpy())
        with torch.no_grad():
            state = f(state).detach()
    return out


def torch_spectrum(record):
    """torch's singular values at the export's singular_value_steps (as many per step as the
    export has) and its Lyapunov exponents (as many as the export has), from autograd's J_t."""
    if record.get("lyapunov_exponents") == "overflow":
        raise ValueError("the export's forward pass overflowed: it has no spectrum to check")
    js = jacobians(record)
    n = js[0].shape[0]
    if n != record["state_size"]:
        raise ValueError(f"state size {n}, the export says {record['state_size']}")
    k = len(record["lyapunov_exponents"])
    steps = record["singular_value_steps"]
    svs = [torch.linalg.svdvals(torch.from_numpy(js[t - 1])).numpy()[: len(values)]
           for t, values in zip(steps, record["step_singular_values"])]

    # Lyapunov exponents: QR iteration over every step.
    q = np.eye(n)[:, :k]
    log_r = np.zeros(k)
    for j in js:
        q, r = np.linalg.qr(j @ q)
        d = np.abs(np.diag(r))
        # z exactly zero rows of J_t (dead ReLUs): rank(J_t Q) <= n - z, so at least k - (n - z)
        # of R's diagonal are 0 in exact arithmetic; rounding leaves them ~1e-16 ||J_t||.
        zero_rows = int(np.sum(~j.any(axis=1)))
        needed = k - min(k, n - zero_rows)
        if needed > 0:
            d[np.argsort(d, kind="stable")[:needed]] = 0.0
        with np.errstate(divide="ignore"):
            log_r += np.log(d)
    return len(js), n, steps, svs, sorted(log_r / len(js), reverse=True)


def eigenvalues_at(record):
    """numpy's eigenvalues of autograd's J_t at the export's singular_value_steps, for the steps
    the export gives step_eigenvalues of (none: [])."""
    if "step_eigenvalues" not in record:
        return []
    js = jacobians(record)
    return [np.linalg.eigvals(js[t - 1]) for t in record["singular_value_steps"]]


def eigenvalue_difference(mine, theirs):
    """The worst distance between two lists of eigenvalues taken as multisets (each of the
    export's matched to the nearest of numpy's not yet taken), relative to the largest modulus."""
    if len(mine) != len(theirs):
        raise ValueError(f"{len(theirs)} eigenvalues in the export, {len(mine)} from numpy")
    left = list(mine)
    worst = 0.0
    for z in theirs:
        k = min(range(len(left)), key=lambda i: abs(left[i] - z))
        worst = max(worst, abs(left.pop(k) - z))
    return worst / max(max(abs(v) for v in mine), 1e-300)


def check(record):
    T, n, steps, svs, mine_exponents = torch_spectrum(record)
    theirs_exponents = [as_number(v) for v in record["lyapunov_exponents"]]
    worst_sv, worst_sv_at = 0.0, None
    for t, mine, values in zip(steps, svs, record["step_singular_values"]):
        theirs = np.array([as_number(v) for v in values])
        diff = float(np.max(np.abs(mine - theirs)) / max(mine[0], 1e-300))
        if not diff <= worst_sv:
            worst_sv, worst_sv_at = diff, t
    worst_ly = 0.0
    for a, b in zip(mine_exponents, theirs_exponents):
        diff = 0.0 if a == b else abs(a - b)  # both -inf: agree
        worst_ly = diff if not diff <= worst_ly else worst_ly
    worst_eig = 0.0
    for mine, values in zip(eigenvalues_at(record), record.get("step_eigenvalues", [])):
        theirs = [complex(as_number(re), as_number(im)) for re, im in values]
        worst_eig = max(worst_eig, eigenvalue_difference(mine, theirs))
    return (T, n, len(steps), worst_sv, worst_sv_at, mine_exponents, theirs_exponents, worst_ly,
            worst_eig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="JSON written by gradscope spectrum --export")
    parser.add_argument("--tol", type=float, default=1e-9)
    args = parser.parse_args()
    torch.set_num_threads(1)
    try:
        with open(args.export) as f:
            record = json.load(f)
        T, n, m, worst_sv, at, mine, theirs, worst_ly, worst_eig = check(record)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        print(f"check_spectrum: {args.export}: {e}", file=sys.stderr)
        return 2
    print(f"{record['cell']} ({record.get('precision', '?')}), T={T}, state size {n}: "
          f"singular values at {m} steps, worst |torch - export| / sv1 = {worst_sv:.3g}"
          + (f" (t={at})" if at else ""))
    print(f"Lyapunov exponents ({len(theirs)}): torch {mine[0]:.10f} .. {mine[-1]:.10f}, export "
          f"{theirs[0]:.10f} .. {theirs[-1]:.10f}; worst |difference| = {worst_ly:.3g} nats/step")
    if "step_eigenvalues" in record:
        print(f"eigenvalues at {m} steps (numpy's of autograd's J_t, matched as multisets): worst "
              f"|numpy - export| / |largest| = {worst_eig:.3g}")
    ok = worst_sv <= args.tol and worst_ly <= args.tol and worst_eig <= args.tol
    print("OK" if ok else f"MISMATCH: above tolerance {args.tol:g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
