"""Replays a `gradscope train --export FILE.json` run in PyTorch (float64) and compares it with
gradscope's, iteration by iteration.

    build/native/gradscope train --cell rnn-tanh,lstm,gru --precision f64 --iters 100 \\
        --clip 0.3 --export /tmp/train.json
    /usr/bin/python3 tests/reference/replay_training.py /tmp/train.json [--tol 1e-9]

For every cell in the export it builds the same model from the initial weights (torch.nn.RNN,
LSTM or GRU; the sigmoid and identity RNNs written out by hand, as torch_cells.py does; the
readout a torch.nn.Linear), then trains it on the exported minibatches, in order, with PyTorch's
own training step: the loss (MSE or softmax cross-entropy at the scored steps, summed over the
batch and the scored steps and divided by batch x scored steps, as gradscope's loss_normalizer),
backward(), torch.nn.utils.clip_grad_norm_ over every parameter including the readout, then
torch.optim.Adam or torch.optim.SGD (momentum, no dampening, not Nesterov) with the exported
hyperparameters; an iteration whose loss or gradient norm is not finite makes no update (a
run that diverged ends where gradscope stopped it). It compares
each iteration's loss and gradient norm (relative difference), whether it was clipped and
skipped (exactly), and the final weights (per tensor, the largest difference relative to the
tensor's largest entry, so that an entry that crosses zero does not count as a huge relative
error), and prints the worst of each per cell.

Exit 0 if every difference is within --tol (default 1e-9) and every flag agrees, 1 if not, 2 if
the file cannot be read or is float32. A float32 export (gradscope's default precision) is
refused: two float32 implementations round differently at every operation (summation order,
fused multiply-add) and training feeds those differences back into every later iteration, so no
tolerance is both tight enough to mean something and loose enough to hold; replay with
`--precision f64`. `--allow-f32` replays it anyway, in float32, and reports the differences
(against --tol, which then defaults to 1e-3) for information.

Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread); run under
/usr/bin/python3.
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cells import CELLS, WEIGHT_NAMES, manual_step, step_loss  # noqa: E402

MODULES = {"rnn-tanh": "tanh", "rnn-relu": "relu", "lstm": None, "gru": None}


def as_number(value):
    """The export writes a value that left float range as the string "overflow"."""
    return math.inf if isinstance(value, str) else float(value)


class ReplayModel(torch.nn.Module):
    """One recurrent layer in PyTorch's names and layout plus a torch.nn.Linear readout,
    holding the given weights."""

    def __init__(self, cell, weights, dtype):
        super().__init__()
        self.cell = cell
        if cell not in CELLS:  # the minGRU, minLSTM and LRU: their gradients are checked against
            # torch by make_fixtures.py's fixtures, their training is not replayed here yet
            raise ValueError(f"{cell!r}: this replay covers {', '.join(CELLS)}")
        w = {k: torch.tensor(v, dtype=dtype) for k, v in weights.items()}
        gate_rows, hidden = w["weight_hh_l0"].shape
        input_size = w["weight_ih_l0"].shape[1]
        if cell in ("rnn-tanh", "rnn-relu"):
            self.rnn = torch.nn.RNN(input_size, hidden, nonlinearity=MODULES[cell])
        elif cell == "lstm":
            self.rnn = torch.nn.LSTM(input_size, hidden)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(input_size, hidden)
        elif cell in CELLS:  # rnn-sigmoid, rnn-identity: no torch module
            self.rnn = torch.nn.Module()
            for name in WEIGHT_NAMES[:4]:
                self.rnn.register_parameter(name, torch.nn.Parameter(torch.empty_like(w[name])))
        else:
            raise ValueError(f"unknown cell {cell!r}")
        self.readout = torch.nn.Linear(hidden, w["weight_out"].shape[0])
        self.to(dtype)
        with torch.no_grad():
            for name, tensor in zip(WEIGHT_NAMES, self.named_tensors()):
                tensor.copy_(w[name])

    def named_tensors(self):
        """The parameters in gradscope's (and the export's) order."""
        return [getattr(self.rnn, n) for n in WEIGHT_NAMES[:4]] + [self.readout.weight,
                                                                   self.readout.bias]

    def hidden_states(self, inputs):
        """inputs (T, B, I) -> h_1..h_T (T, B, H), from h0 = c0 = 0."""
        if self.cell in MODULES:
            out, _ = self.rnn(inputs)
            return out
        w = {n: getattr(self.rnn, n) for n in WEIGHT_NAMES[:4]}
        state = (inputs.new_zeros(inputs.shape[1], w["weight_hh_l0"].shape[1]),)
        hs = []
        for x in inputs:
            state = manual_step(self.cell, w, x, state)
            hs.append(state[0])
        return torch.stack(hs)

    def loss(self, kind, inputs, targets):
        """The minibatch loss: targets[t] is (B, O) or None where step t carries no loss."""
        hs = self.hidden_states(inputs)
        scored = [t for t, target in enumerate(targets) if target is not None]
        normalizer = inputs.shape[1] * max(1, len(scored))
        total = 0
        for t in scored:
            total = total + step_loss(kind, self.readout(hs[t]), targets[t], normalizer)
        return total


def make_optimizer(spec, params):
    if spec["kind"] == "adam":
        return torch.optim.Adam(params, lr=spec["lr"], betas=(spec["beta1"], spec["beta2"]),
                                eps=spec["epsilon"])
    if spec["kind"] == "sgd":
        return torch.optim.SGD(params, lr=spec["lr"], momentum=spec["momentum"])
    raise ValueError(f"unknown optimizer {spec['kind']!r}")


def replay_cell(record, dtype=torch.float64, jitter=0.0):
    """Trains the exported cell in PyTorch on the exported minibatches. Returns PyTorch's
    trajectory: per iteration loss, grad_norm, clipped, skipped; and the final weights.
    Also returns the iterations whose gradient norm was beyond clip_grad_norm_'s range (see
    below). `jitter` > 0: after every update, every weight is multiplied by 1 + jitter u, u
    uniform in [-1, 1] (fixed seed): rounding noise of that relative size, to measure how much
    the trajectory amplifies it."""
    model = ReplayModel(record["cell"], record["initial_weights"], dtype)
    noise = torch.Generator().manual_seed(0)
    params = model.named_tensors()
    optimizer = make_optimizer(record["optimizer"], params)
    clip = float(record["clip"])
    trajectory, beyond_torch = [], []
    for it in record["iterations"]:
        inputs = torch.tensor(it["inputs"], dtype=dtype)
        targets = [None if y is None else torch.tensor(y, dtype=dtype) for y in it["targets"]]
        optimizer.zero_grad(set_to_none=True)
        loss = model.loss(record["loss"], inputs, targets)
        loss.backward()
        plain = torch.norm(torch.stack([torch.norm(p.grad, 2.0) for p in params]), 2.0).item()
        scaled = scaled_global_norm(params)
        if math.isfinite(scaled) and not math.isfinite(plain):
            # clip_grad_norm_ computes the norm above (plain): beyond about 1e154 its squares
            # overflow to inf, and it would scale every gradient by 0. gradscope's norm is scaled
            # (LAPACK nrm2's way) and clips any finite gradient: do the same, with the same rule.
            norm = scaled
            with torch.no_grad():
                for p in params:
                    p.grad.mul_(min(1.0, clip / (norm + 1e-6)) if clip > 0 else 1.0)
            beyond_torch.append(it["iteration"])
        else:  # clip 0 means no clipping: an infinite max_norm makes it scale by 1.0
            norm = torch.nn.utils.clip_grad_norm_(params, clip if clip > 0 else math.inf).item()
        clipped = clip > 0 and math.isfinite(norm) and clip / (norm + 1e-6) < 1  # its rule
        skipped = not (math.isfinite(norm) and math.isfinite(loss.item()))
        if not skipped:
            optimizer.step()
        if jitter:
            with torch.no_grad():
                for p in params:
                    p.mul_(1 + jitter * (2 * torch.rand(p.shape, generator=noise, dtype=dtype) - 1))
        trajectory.append({"loss": loss.item(), "grad_norm": norm, "clipped": clipped,
                           "skipped": skipped})
    final = {n: t.detach().tolist() for n, t in zip(WEIGHT_NAMES, params)}
    return trajectory, final, beyond_torch


def scaled_global_norm(params):
    """The L2 norm over every gradient, computed without overflow: the largest magnitude times
    the norm of the gradients divided by it. inf or NaN if a gradient is not finite."""
    top = max(p.grad.abs().max().item() for p in params)
    if not math.isfinite(top) or top == 0:
        return top
    return top * math.sqrt(sum(((p.grad / top) ** 2).sum().item() for p in params))


def relative(a, b):
    """|a - b| / |b|; 0 when both are equal or both are not finite (the export writes any
    non-finite value as "overflow")."""
    if a == b or not (math.isfinite(a) or math.isfinite(b)):  # both inf or NaN: agree
        return 0.0
    return abs(a - b) / abs(b) if b != 0 else abs(a - b)


def tensor_relative(a, b):
    """max |a - b| / max |b| over one tensor."""
    a = torch.tensor(a, dtype=torch.float64)
    b = torch.tensor(b, dtype=torch.float64)
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return diff / scale if scale > 0 else diff


def first_beyond(a, b, tol):
    """The first iteration (1-based) where two trajectories' loss or gradient norm differ by
    more than tol, or None."""
    for n, (x, y) in enumerate(zip(a, b), start=1):
        if any(not relative(as_number(x[k]), y[k]) <= tol for k in ("loss", "grad_norm")):
            return n
    return None


def compare_cell(record, trajectory, final, tol):
    """The worst differences between gradscope's export and PyTorch's replay of one cell."""
    worst = {"loss": (0.0, None), "grad_norm": (0.0, None), "weights": (0.0, None)}
    flag_mismatches = []
    clip = float(record["clip"])
    for it, mine in zip(record["iterations"], trajectory):
        n = it["iteration"]
        for key in ("loss", "grad_norm"):
            diff = relative(as_number(it[key]), mine[key])
            if not diff <= worst[key][0]:  # NaN propagates as the worst
                worst[key] = (diff, n)
        for flag in ("clipped", "skipped"):
            if bool(it[flag]) != mine[flag]:
                # A norm within the tolerance of the threshold can fall either side.
                borderline = flag == "clipped" and relative(mine["grad_norm"] + 1e-6, clip) <= tol
                flag_mismatches.append((n, flag, it[flag], mine[flag], borderline))
    for name in WEIGHT_NAMES:
        diff = tensor_relative(record["final_weights"][name], final[name])
        if not diff <= worst["weights"][0]:
            worst["weights"] = (diff, name)
    return worst, flag_mismatches


def check_export(export, tol, dtype=torch.float64, out=sys.stdout):
    """Replays every cell of an export. Returns (ok, results), results[i] = per cell dict with
    cell, optimizer, loss, iterations, clipped (count), worst and flag_mismatches, and PyTorch's
    trajectory and final weights."""
    ok = True
    results = []
    for record in export["cells"]:
        trajectory, final, beyond_torch = replay_cell(record, dtype)
        worst, flags = compare_cell(record, trajectory, final, tol)
        hard_flags = [f for f in flags if not f[4]]
        cell_ok = all(w[0] <= tol for w in worst.values()) and not hard_flags
        ok = ok and cell_ok
        clipped = sum(1 for it in record["iterations"] if it["clipped"])
        skipped = sum(1 for it in record["iterations"] if it["skipped"])
        print(f"{record['cell']:<12} {record['optimizer']['kind']:<4} {record['loss']:<13} "
              f"{len(trajectory)} iterations ({clipped} clipped, {skipped} skipped): worst "
              f"relative difference loss {worst['loss'][0]:.2g} (iteration {worst['loss'][1]}), "
              f"grad norm {worst['grad_norm'][0]:.2g} (iteration {worst['grad_norm'][1]}), "
              f"final weights {worst['weights'][0]:.2g} ({worst['weights'][1]})"
              + ("" if cell_ok else "  MISMATCH"), file=out)
        if beyond_torch:
            print(f"  iteration{'s' if len(beyond_torch) > 1 else ''} "
                  f"{', '.join(map(str, beyond_torch))}: finite gradients whose norm "
                  "overflows in clip_grad_norm_ (a sum of squares above 1e308): clipped with a "
                  "scaled norm instead, as gradscope does", file=out)
        for n, flag, theirs, mine, borderline in flags:
            print(f"  iteration {n}: {flag} is {theirs} in the export, {mine} in PyTorch"
                  + (" (the norm is at the threshold: either is right)" if borderline else ""),
                  file=out)
        if not cell_ok:
            explain_mismatch(record, trajectory, tol, dtype, out)
        results.append({"record": record, "worst": worst, "flag_mismatches": flags,
                        "trajectory": trajectory, "final": final, "ok": cell_ok,
                        "clipped": clipped})
    return ok, results


def explain_mismatch(record, trajectory, tol, dtype, out):
    """Tells a disagreement from a chaotic trajectory: replays the cell again in PyTorch with
    every weight moved by up to one unit in the last place after every update (what rounding
    differently does) and reports where PyTorch's two runs part. Where training amplifies
    rounding (loss spikes, clipping on and off), the last bits decide the trajectory, and
    PyTorch parts from itself about when it parts from gradscope: that is not a disagreement,
    but nothing can be checked there."""
    own, _, _ = replay_cell(record, dtype, jitter=torch.finfo(dtype).eps)
    ours = first_beyond(record["iterations"], trajectory, tol)
    theirs = first_beyond(own, trajectory, tol)
    print(f"  gradscope and PyTorch differ by more than {tol:g} from iteration {ours}; PyTorch "
          "against itself with 1-ulp noise on the weights at every update: "
          + (f"from iteration {theirs}: the trajectory amplifies rounding (chaotic training), "
             "so it cannot be checked to this tolerance; check fewer iterations or a smaller "
             "learning rate" if theirs is not None else
             "never: a real disagreement"), file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="JSON written by gradscope train --export")
    parser.add_argument("--tol", type=float, default=None,
                        help="relative tolerance (default 1e-9; 1e-3 with --allow-f32)")
    parser.add_argument("--allow-f32", action="store_true",
                        help="replay a float32 export in float32 instead of refusing it")
    args = parser.parse_args()
    torch.set_num_threads(1)
    try:
        with open(args.export) as f:
            export = json.load(f)
        precision = export.get("precision")
        if precision == "f32" and not args.allow_f32:
            raise ValueError("this export is float32 (gradscope's default precision); a float32 "
                             "trajectory cannot be checked to a meaningful tolerance: export "
                             "with --precision f64 (or pass --allow-f32 to replay it anyway)")
        if precision not in ("f32", "f64"):
            raise ValueError(f"unknown precision {precision!r}")
        dtype = torch.float32 if precision == "f32" else torch.float64
        tol = args.tol if args.tol is not None else (1e-3 if precision == "f32" else 1e-9)
        ok, _ = check_export(export, tol, dtype)
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"replay_training: {args.export}: {e}", file=sys.stderr)
        return 2
    print("OK" if ok else f"MISMATCH: above tolerance {tol:g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
