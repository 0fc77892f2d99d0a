"""Writes tests/reference/fixtures/checks/*.json: what check_spectrum.py, check_cliff.py and
check_cli_export.py compute in PyTorch (and numpy) for the runs the README quotes, so that
`make test` holds the CLI to them (tests/unit/test_reference_checks.cpp) without PyTorch.

    /usr/bin/python3 tests/reference/make_check_fixtures.py build/native/gradscope

Each fixture names the CLI arguments of its run; the unit test runs them again and compares the
CLI's numbers with the reference's below, within the fixture's tolerance. The reference values
depend only on the run's weights and inputs, which the arguments fix (the drawn model's seed).
Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_cli_export  # noqa: E402
import check_cliff  # noqa: E402
import check_spectrum  # noqa: E402

OUT = os.path.join(HERE, "fixtures", "checks")
SEED = ["--seed", "1"]  # the models the README quotes (seed 1, the default before December 2026)
CELLS = ["rnn-tanh", "rnn-relu", "rnn-sigmoid", "rnn-identity", "lstm", "gru"]
NEW_CELLS = ["mingru", "minlstm", "lru"]  # the LRU's hidden counts complex units: 8 is 16 reals


def exported(cli, args):
    """The JSON record of `gradscope <args> --export FILE`."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "run.json")
        subprocess.run([cli, *args, "--export", path], check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            return json.load(f)


def number(x):
    """JSON has no infinities: -inf (an exactly zero quantity's log) as null."""
    x = float(x)
    return None if x == -np.inf else float(f"{x:.17g}")


def write(name, fixture):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(name)


def spectrum(cli, name, args, sv_tolerance, exponent_tolerance):
    record = exported(cli, ["spectrum", *args, *SEED])
    _, _, steps, svs, exponents = check_spectrum.torch_spectrum(record)
    eigenvalues = check_spectrum.eigenvalues_at(record)
    extra = {} if not eigenvalues else {
        "eigenvalues": [[[number(z.real), number(z.imag)] for z in step] for step in eigenvalues],
        "eigenvalue_tolerance": sv_tolerance}
    write(name, {
        "what": "spectrum --export: torch's singular values (relative to sv1 of the step) and "
                "Lyapunov exponents (nats per step) from autograd Jacobians (check_spectrum.py)",
        "args": ["spectrum", *args, *SEED],
        "singular_value_steps": steps,
        "singular_values": [[number(v) for v in step] for step in svs],
        "lyapunov_exponents": [number(v) for v in exponents],
        "sv_tolerance": sv_tolerance, "exponent_tolerance": exponent_tolerance, **extra})


def cliff(cli, name, args, tolerance):
    csv = subprocess.run([cli, "cliff", *args], check=True, capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(csv)
    steps, x0, target, rows = check_cliff.read_csv(f.name)
    os.unlink(f.name)
    loss, grad_w, grad_b = check_cliff.forward_mode(rows[:, 0], rows[:, 1], steps, x0, target)
    write(name, {
        "what": "cliff: loss and gradient at every grid point by forward-mode tangents in numpy "
                "(check_cliff.py), relative tolerance",
        "args": ["cliff", *args],
        "loss": [number(v) for v in loss], "grad_w": [number(v) for v in grad_w],
        "grad_b": [number(v) for v in grad_b], "tolerance": tolerance})


def decay(cli, name, args, tolerance):
    record = exported(cli, ["decay", *args, *SEED])
    _, mine, _, _, _ = check_cli_export.check(record)
    write(name, {
        "what": "decay --export: log10 ||dL/dh_t|| for t = 1..T from torch's forward pass and "
                "renormalized vector-Jacobian products in float64 (check_cli_export.py), "
                "absolute tolerance in log10",
        "args": ["decay", *args, *SEED],
        "log10_grad_norm_h": [number(v) for v in mine], "tolerance": tolerance})


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cli = os.path.abspath(sys.argv[1])
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for cell in CELLS:
        spectrum(cli, f"spectrum_{cell}_f64",
                 ["--cell", cell, "--hidden", "16", "--length", "200", "--precision", "f64"],
                 1e-12, 1e-12)
    for cell in NEW_CELLS:
        spectrum(cli, f"spectrum_{cell}_f64", ["--cell", cell, "--hidden", "8" if cell == "lru" else "16",
                 "--length", "200", "--precision", "f64"], 1e-12, 1e-12)
    spectrum(cli, "spectrum_gru_T3000_f64", ["--cell", "gru", "--hidden", "16", "--length",
             "3000", "--precision", "f64", "--sv-steps", "100"], 1e-12, 1e-12)
    spectrum(cli, "spectrum_lstm_hidden80_top8_f64", ["--cell", "lstm", "--hidden", "80",
             "--length", "200", "--precision", "f64", "--sv-steps", "50"], 1e-10, 1e-12)
    # float32: its forward pass runs in float32, torch's in float64
    spectrum(cli, "spectrum_rnn-tanh_f32", ["--cell", "rnn-tanh", "--hidden", "16", "--length",
             "200"], 1e-6, 1e-4)
    cliff(cli, "cliff_default", [], 1e-11)
    cliff(cli, "cliff_wall", ["--w", "4.5:6:7", "--b", "-3.3:-2.3:201"], 1e-11)
    for cell in CELLS + NEW_CELLS:  # float32 at the defaults, 3,000 steps
        decay(cli, f"decay_{cell}_T3000_f32", ["--cell", cell, "--length", "3000"], 5e-5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
