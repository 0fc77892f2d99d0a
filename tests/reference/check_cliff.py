"""Recomputes a `gradscope cliff` CSV independently (float64) and reports how far it is.

    build/native/gradscope cliff > /tmp/cliff.csv            # the default grid, or --w/--b/...
    /usr/bin/python3 tests/reference/check_cliff.py /tmp/cliff.csv [--tol 1e-9]

The CLI computes the loss E = (sigmoid(x_steps) - target)^2 of x_t = w sigmoid(x_{t-1}) + b and
its gradient by backpropagation through time. This script reads the run's steps, x0 and target
from its '# cliff:' line and, at every (w, b) of the file (printed exactly, so the points are the
same doubles), recomputes them two other ways:

- forward-mode differentiation in numpy: the tangents dx_t/dw and dx_t/db carried forward with
  x_t (no backward pass at all);
- torch.autograd in float64, if Debian's python3-torch is installed.

It prints, for loss, grad_w and grad_b, the worst relative difference |cli - ref| / |ref| (over
points where |ref| > 1e-300; 'overflow' must match a non-finite reference), where it occurs and
the gradient norm there. Near the wall the problem itself is ill-conditioned (rounding in x_t
grows by about w/4 per step, like the gradient), so any two float64 computations differ there by
about 1e-16 times the gradient norm; the script also reports the worst difference away from it
(gradient norm below 1e3). Exit 0 if the worst away from the wall is <= tol, 1 if larger, 2 if
the file cannot be read. CI does not run it (no numpy there): make_check_fixtures.py commits its
numbers for two grids, which `make test` holds.
"""
import argparse
import math
import re
import sys

import numpy as np


def read_csv(path):
    steps, x0, target = 50, 0.5, 0.7
    rows = []
    with open(path) as file:
        for line in file:
            line = line.strip()
            if line.startswith("# cliff:"):
                flags = dict(re.findall(r"--(\w+) (\S+)", line))
                steps, x0, target = int(flags["steps"]), float(flags["x0"]), float(flags["target"])
            if not line or line.startswith("#") or line.startswith("w,"):
                continue
            rows.append([math.inf if f == "overflow" else float(f) for f in line.split(",")])
    if not rows:
        raise ValueError("no rows")
    return steps, x0, target, np.array(rows)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward_mode(w, b, steps, x0, target):
    """Loss and gradient with tangents carried forward: dx_t = w s'(x_{t-1}) dx_{t-1} + d(w s + b)."""
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.full_like(w, x0)
        dx_dw = np.zeros_like(w)
        dx_db = np.zeros_like(w)
        for _ in range(steps):
            s = sigmoid(x)
            slope = w * s * (1 - s)
            dx_dw = s + slope * dx_dw
            dx_db = 1 + slope * dx_db
            x = w * s + b
        out = sigmoid(x)
        de_dx = 2 * (out - target) * out * (1 - out)
        return (out - target) ** 2, de_dx * dx_dw, de_dx * dx_db


def torch_autograd(w, b, steps, x0, target):
    import torch

    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    x = torch.full_like(wt, x0)
    for _ in range(steps):
        x = wt * torch.sigmoid(x) + bt
    loss = (torch.sigmoid(x) - target) ** 2
    loss.sum().backward()  # each loss depends on its own (w, b) only
    return loss.detach().numpy(), wt.grad.numpy(), bt.grad.numpy()


def compare(name, rows, ref, norm):
    """Worst relative differences of the three columns, overall and away from the wall."""
    print(f"{name}:")
    cli = rows[:, 2:]
    worst_away = 0.0
    for column, label in enumerate(["loss", "grad_w", "grad_b"]):
        a, r = cli[:, column], ref[column]
        mismatch = np.isfinite(a) != np.isfinite(r)
        if mismatch.any():
            print(f"  {label}: {mismatch.sum()} points where one side is beyond range and the other not")
            worst_away = math.inf
        both = np.isfinite(a) & np.isfinite(r) & (np.abs(r) > 1e-300)
        rel = np.zeros_like(a)
        rel[both] = np.abs(a[both] - r[both]) / np.abs(r[both])
        i = int(np.argmax(rel))
        away = both & (norm < 1e3)
        worst = float(rel[away].max()) if away.any() else 0.0
        worst_away = max(worst_away, worst)
        print(f"  {label:6s} worst relative difference {rel[i]:.3g} at w={rows[i, 0]!r} "
              f"b={rows[i, 1]!r} (gradient norm {norm[i]:.3g}); away from the wall {worst:.3g}")
    return worst_away


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv")
    parser.add_argument("--tol", type=float, default=1e-9)
    args = parser.parse_args()
    try:
        steps, x0, target, rows = read_csv(args.csv)
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot read {args.csv}: {error}", file=sys.stderr)
        return 2
    w, b = rows[:, 0], rows[:, 1]
    with np.errstate(over="ignore", invalid="ignore"):
        norm = np.hypot(rows[:, 3], rows[:, 4])
    print(f"{len(rows)} points, steps={steps} x0={x0} target={target}; gradient norms up to "
          f"{np.nanmax(norm):.3g}, {int((norm >= 1e3).sum())} points at the wall (norm >= 1e3)")
    worst = compare("forward mode (numpy)", rows, forward_mode(w, b, steps, x0, target), norm)
    try:
        reference = torch_autograd(w, b, steps, x0, target)
        worst = max(worst, compare("torch.autograd", rows, reference, norm))
    except ImportError:
        print("torch.autograd: skipped (no torch)")
    print(f"worst relative difference away from the wall: {worst:.3g} (tol {args.tol:g})")
    return 0 if worst <= args.tol else 1


if __name__ == "__main__":
    sys.exit(main())
