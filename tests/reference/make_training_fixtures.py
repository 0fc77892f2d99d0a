"""Writes the training fixtures that tests/unit/test_training_reference.cpp checks gradscope's
training against: PyTorch's trajectory (torch.nn + torch.optim + clip_grad_norm_, float64) for a
small run of every cell, Adam for one task and SGD with momentum for another, so that every cell
sees both losses (MSE and cross-entropy). The fixtures are committed; CI needs no torch.

Regenerate (Debian 12), after `make native-build`:
    /usr/bin/python3 tests/reference/make_training_fixtures.py [--cli build/native/gradscope]
For each case it runs `gradscope train --precision f64 ... --export`, replays the export with
replay_training.py (which must agree to 1e-9 relative, or nothing is written) and writes
tests/reference/fixtures/training/<cell>_<optimizer>_<task>.json:
  name, config (gradscope's canonical config text: the unit test trains from it),
  initial_weights (gradscope's, PyTorch names: the test checks that the same config still
  draws the same model), batch_sums [iters] (the sum of every input and target of each
  minibatch: the test checks that the same config still draws the same data),
  expected {loss, grad_norm, clipped, skipped [iters], final_weights}: PyTorch's numbers,
  generated_with {torch, worst differences measured at generation}.

    /usr/bin/python3 tests/reference/make_training_fixtures.py --larger
checks, without writing anything, every cell with Adam and with SGD on every task at hidden 32,
length 50 (copy: 20), batch 32, for 150 iterations (copy: 120), and prints the worst
differences per cell and optimizer.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from replay_training import check_export  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "fixtures", "training")
TOL = 1e-9

# (cell, optimizer, task, clip): small enough that some iterations clip and some do not.
SMALL = dict(hidden=6, length=8, batch=4, iters=100, seed=3)
CASES = [
    ("rnn-tanh", "adam", "adding", 0.5), ("rnn-tanh", "sgd", "remember-first", 0.8),
    ("rnn-relu", "adam", "remember-first", 0.5), ("rnn-relu", "sgd", "adding", 0.3),
    ("rnn-sigmoid", "adam", "copy", 0.3), ("rnn-sigmoid", "sgd", "adding", 0.2),
    ("rnn-identity", "adam", "adding", 0.8), ("rnn-identity", "sgd", "copy", 0.5),
    ("lstm", "adam", "copy", 0.3), ("lstm", "sgd", "remember-first", 0.5),
    ("gru", "adam", "remember-first", 0.8), ("gru", "sgd", "copy", 0.3),
]
LR = {"adam": 0.01, "sgd": 0.1}
# --larger: (task, length, optimizer, lr, clip, iterations), every cell, hidden 32, batch 32.
# Copy trains chaotically beyond about 140 iterations at these rates (rounding is amplified:
# PyTorch parts from itself as soon as from gradscope, see replay_training.py), so 120.
LARGER = [
    ("adding", 50, "adam", 0.01, 0.5, 150), ("adding", 50, "sgd", 0.05, 0.5, 150),
    ("remember-first", 50, "adam", 0.003, 0.2, 150), ("remember-first", 50, "sgd", 0.1, 0.2, 150),
    ("copy", 20, "adam", 0.001, 0.5, 120), ("copy", 20, "sgd", 0.01, 0.5, 120),
]
CELLS = ["rnn-tanh", "rnn-relu", "rnn-sigmoid", "rnn-identity", "lstm", "gru"]


def export_run(cli, flags, path):
    args = [cli, "train", "--precision", "f64", "--export", path]
    for key, value in flags.items():
        args += [f"--{key}", str(value)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        return json.load(f)


def batch_sum(iteration):
    total = 0.0
    for step in iteration["inputs"]:
        for row in step:
            total += sum(row)
    for step in iteration["targets"]:
        if step is not None:
            for row in step:
                total += sum(row)
    return total


def worst_of(result):
    return {k: v[0] for k, v in result["worst"].items()}


def write_fixtures(cli, tmp):
    os.makedirs(OUT, exist_ok=True)
    for cell, opt, task, clip in CASES:
        name = f"{cell}_{opt}_{task}"
        flags = dict(SMALL, cell=cell, optimizer=opt, task=task, clip=clip, lr=LR[opt],
                     momentum=0.9)
        if task == "copy":
            flags["length"] = 2  # 22 steps
        export = export_run(cli, flags, os.path.join(tmp, name + ".json"))
        print(f"{name}: ", end="")
        ok, results = check_export(export, TOL)
        result = results[0]
        iters = len(result["trajectory"])
        if not ok or not 0 < result["clipped"] < iters:
            sys.exit(f"{name}: {'no agreement' if not ok else 'clipping never or always acts'}"
                     ": not written")
        record = result["record"]
        fixture = {
            "name": name,
            "config": record["config_text"],
            "cell": cell,
            "initial_weights": record["initial_weights"],
            "batch_sums": [batch_sum(it) for it in record["iterations"]],
            "expected": {
                "loss": [r["loss"] for r in result["trajectory"]],
                "grad_norm": [r["grad_norm"] for r in result["trajectory"]],
                "clipped": [r["clipped"] for r in result["trajectory"]],
                "skipped": [r["skipped"] for r in result["trajectory"]],
                "final_weights": result["final"],
            },
            "generated_with": {"torch": torch.__version__,
                               "worst_relative_difference": worst_of(result)},
        }
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
            f.write("\n")


def check_larger(cli, tmp):
    worst = {}
    ok = True
    for task, length, opt, lr, clip, iters in LARGER:
        flags = dict(cell=",".join(CELLS), hidden=32, length=length, batch=32, iters=iters,
                     optimizer=opt, lr=lr, momentum=0.9, clip=clip, task=task)
        print(f"== {task}, length {length}, {opt}, lr {lr}, clip {clip}, {iters} iterations")
        export = export_run(cli, flags, os.path.join(tmp, "larger.json"))
        case_ok, results = check_export(export, TOL)
        ok = ok and case_ok
        for r in results:
            key = (r["record"]["cell"], opt)
            for k, v in worst_of(r).items():
                worst.setdefault(key, {}).setdefault(k, 0.0)
                worst[key][k] = max(worst[key][k], v)
    print("\nworst relative difference per cell and optimizer over the three tasks:")
    for (cell, opt), w in worst.items():
        print(f"  {cell:<12} {opt:<4} loss {w['loss']:.1e}  grad norm {w['grad_norm']:.1e}  "
              f"final weights {w['weights']:.1e}")
    print("OK" if ok else f"MISMATCH: above tolerance {TOL:g}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "native", "gradscope"))
    parser.add_argument("--larger", action="store_true",
                        help="check larger runs of every cell and optimizer; write nothing")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        if args.larger:
            return 0 if check_larger(args.cli, tmp) else 1
        write_fixtures(args.cli, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
