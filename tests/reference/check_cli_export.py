"""Spot-checks a `gradscope decay --export FILE.json` record against PyTorch (float64), for
configurations the committed fixtures do not contain.

    gradscope decay --cell gru --hidden 48 --length 3000 --export /tmp/gru.json
    /usr/bin/python3 tests/reference/check_cli_export.py /tmp/gru.json [--tol 1e-6]

From the export's weights (PyTorch names), inputs (length x I), h0 (and c0 for LSTM) it runs the
forward pass with torch's own modules (the minGRU and minLSTM: their equations in torch; the LRU: its reference's, complex, on
[Re h, Im h]), then backpropagates seed_grad_h (= dL/dh_T) from h_T
alone, recording the total gradient at every h_t with renormalized vector-Jacobian products (so
any depth is exact in log10), and compares with the export's log10_grad_norm_h (t = 1..T).
Prints the max abs difference; exit 0 if <= tol, 1 if larger, 2 if the file cannot be read.
Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cells import (CELLS, GATES, LRU_NAMES, MIN_CELLS, Stepper,  # noqa: E402
                         log10_norms_by_vjp, run_forward)


def cell_of(record):
    """The cell name, from the top level or from the config (a dict or key=value text)."""
    config = record.get("config", {})
    if isinstance(config, str):
        pairs = [p.split("=", 1) for p in config.replace("&", " ").split() if "=" in p]
        config = dict(pairs)
    cell = record.get("cell", config.get("cell"))
    if isinstance(cell, list):
        cell = cell[0] if len(cell) == 1 else None
    if cell not in CELLS and cell not in MIN_CELLS and cell != "lru":
        raise ValueError(f"cannot tell the cell from the export (got {cell!r})")
    return cell


def as_log10(value):
    """JSON has no -inf: accept null or a string for a gradient that is exactly zero."""
    if value is None or isinstance(value, str):
        return -math.inf if value in (None, "-inf", "-Infinity") else float(value)
    return float(value)


def check(record):
    cell = cell_of(record)
    if cell == "lru":  # its reference's eight tensors; the state is [Re h, Im h]
        stepper = Stepper(cell, {k: record["weights"][k] for k in LRU_NAMES})
        hidden = 2 * stepper.w["nu_log"].shape[0]
    elif cell in MIN_CELLS:  # one Linear, <name>.weight (G H x I) and .bias
        linear = MIN_CELLS[cell][0]
        weights = {k: v for k, v in record["weights"].items() if k.startswith(linear + ".")}
        stepper = Stepper(cell, weights)
        hidden = stepper.w[linear + ".weight"].shape[0] // GATES[cell]
    else:
        weights = {k: v for k, v in record["weights"].items() if k.endswith("_l0")}
        stepper = Stepper(cell, weights)
        hidden = stepper.w["weight_hh_l0"].shape[1]
    inputs = torch.tensor(record["inputs"], dtype=torch.float64).unsqueeze(1)   # (T, 1, I)
    h0 = torch.tensor(record["h0"], dtype=torch.float64).reshape(1, hidden)
    c0 = torch.tensor(record["c0"], dtype=torch.float64).reshape(1, hidden) if cell == "lstm" else None
    seed = torch.tensor(record["seed_grad_h"], dtype=torch.float64).reshape(1, hidden)
    states = run_forward(stepper, inputs, h0, c0)
    mine = log10_norms_by_vjp(states, seed)
    theirs = [as_log10(v) for v in record["log10_grad_norm_h"]]
    if len(theirs) != len(mine):
        raise ValueError(f"log10_grad_norm_h has {len(theirs)} steps, inputs {len(mine)}")
    worst, worst_t = 0.0, None
    for t, (a, b) in enumerate(zip(theirs, mine), start=1):
        diff = 0.0 if a == b else abs(a - b)  # both -inf: agree
        if not diff <= worst:  # NaN propagates as the worst
            worst, worst_t = diff, t
    return cell, mine, theirs, worst, worst_t


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="JSON written by gradscope decay --export")
    parser.add_argument("--tol", type=float, default=1e-6)
    args = parser.parse_args()
    try:
        with open(args.export) as f:
            record = json.load(f)
        cell, mine, theirs, worst, worst_t = check(record)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        print(f"check_cli_export: {args.export}: {e}", file=sys.stderr)
        return 2
    T = len(mine)
    print(f"{cell}, T={T}: log10 ||dL/dh_t|| from t={T} ({mine[-1]:.6f}) down to t=1 "
          f"({mine[0]:.6f}); torch vs export max |diff| = {worst:.3g}"
          + (f" at t={worst_t} (export {theirs[worst_t - 1]!r}, torch {mine[worst_t - 1]!r})"
             if worst_t else ""))
    ok = worst <= args.tol
    print("OK" if ok else f"MISMATCH: above tolerance {args.tol:g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
