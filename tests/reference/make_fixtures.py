"""Writes the PyTorch reference fixtures that tests/unit/test_pytorch_reference.cpp checks core
against. The fixtures are committed; CI needs no torch.

Regenerate (Debian 12):
    apt-get install python3-torch libopenblas0-pthread
    /usr/bin/python3 tests/reference/make_fixtures.py      # not the pyenv python on PATH
It rewrites tests/reference/fixtures/*.json (deterministic: one torch seed per fixture, float64
throughout) and prints one line per fixture.

What a fixture holds (arrays in PyTorch's layout, row-major nested lists; B = batch):
  name, cell (rnn-tanh|rnn-relu|rnn-sigmoid|rnn-identity|lstm|gru|mingru|minlstm), input_size,
  hidden_size, output_size, length (T), batch (B), loss (mse|cross_entropy), scored [T] bools,
  weights {weight_ih_l0 (G*H, I), weight_hh_l0 (G*H, H), bias_ih_l0, bias_hh_l0 (G*H),
           weight_out (O, H), bias_out (O)}; for mingru and minlstm their one Linear,
           to_hidden_and_gate / to_hidden_and_f_i_gate .weight (G*H, I) and .bias (G*H), in
           place of the first four,
  inputs [T][B][I], targets [T] of [B][O] (one-hot for cross_entropy) or null, h0 [B][H],
  c0 [B][H] (lstm),
  expected {loss, h [T][B][H] (h_1..h_T), grads {as weights}, dh [T+1][B][H] (total dL/dh_t,
            t = 0..T), dc [T+1][B][H] (lstm), log10_grad_norm_h [T] (B = 1 cases, t = 1..T)}.
The long (T = 1000) fixtures leave out dh and dc (size); their log10_grad_norm_h is checked.

Model: y_t = weight_out h_t + bias_out. Losses: mse = sum over outputs of (y - target)^2,
cross_entropy = softmax cross-entropy against one-hot targets; both averaged over the batch
and over the scored steps. dc follows the state-variable convention of torch_cells.py: dL/dc_t
is the gradient reaching c_t from step t+1 (so dc_T = 0 when only h_T is read by the loss).
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cells import (CELLS, MIN_CELLS, Stepper, gate_count,  # noqa: E402
                         LRU_NAMES,
                         log10_norms_by_vjp, manual_step, run_forward, step_loss)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def draw_weights(cell, I, H, O, recurrent):
    """PyTorch's default init (uniform +-1/sqrt(H) for the layer and the readout), drawn in
    float64; `recurrent` = ("uniform",) or ("normal", gain): W_hh ~ N(0, gain^2 / H)."""
    G, k = gate_count(cell), 1.0 / math.sqrt(H)
    u = lambda *shape: torch.empty(*shape).uniform_(-k, k)  # noqa: E731
    if cell == "lru":  # the paper's ring; recurrent = ("ring", r_min, r_max, max_phase)
        _, r_min, r_max, max_phase = recurrent
        n = H // 2
        modulus2 = torch.rand(n) * (r_max ** 2 - r_min ** 2) + r_min ** 2
        w = {"nu_log": torch.log(-0.5 * torch.log(modulus2)),
             "theta_log": torch.log(max_phase * (1 - torch.rand(n))),
             "gamma_log": 0.5 * torch.log1p(-modulus2),
             "B_re": torch.randn(n, I) / math.sqrt(2 * I), "B_im": torch.randn(n, I) / math.sqrt(2 * I),
             "C_re": torch.randn(O, n) / math.sqrt(n), "C_im": torch.randn(O, n) / math.sqrt(n),
             "D": torch.randn(O, I) / math.sqrt(I)}
        assert list(w) == LRU_NAMES
        return w
    if cell in MIN_CELLS:  # nn.Linear's default, +-1/sqrt(I); ("normal", gain): N(0, gain^2 / I)
        linear, ki = MIN_CELLS[cell][0], 1.0 / math.sqrt(I)
        w = {linear + ".weight": torch.empty(G * H, I).uniform_(-ki, ki),
             linear + ".bias": torch.empty(G * H).uniform_(-ki, ki),
             "weight_out": u(O, H), "bias_out": u(O)}
        if recurrent[0] == "normal":
            w[linear + ".weight"] = torch.randn(G * H, I) * (recurrent[1] / math.sqrt(I))
        return w
    w = {"weight_ih_l0": u(G * H, I), "weight_hh_l0": u(G * H, H),
         "bias_ih_l0": u(G * H), "bias_hh_l0": u(G * H),
         "weight_out": u(O, H), "bias_out": u(O)}
    if recurrent[0] == "normal":
        w["weight_hh_l0"] = torch.randn(G * H, H) * (recurrent[1] / math.sqrt(H))
    return w


def draw_targets(loss, T, B, O, scored):
    targets = []
    for t in range(T):
        if not scored[t]:
            targets.append(None)
        elif loss == "mse":
            targets.append(torch.randn(B, O))
        else:
            targets.append(torch.nn.functional.one_hot(torch.randint(O, (B,)), O).double())
    return targets


def to_list(t):
    return t.detach().tolist()


def make_fixture(name, cell, seed, loss, scored, I=3, H=5, O=2, B=3,
                 recurrent=("uniform",), state_scale=0.5, long=False):
    torch.manual_seed(seed)
    T = len(scored)
    weights = draw_weights(cell, I, H, O, recurrent)
    inputs = torch.randn(T, B, I)
    targets = draw_targets(loss, T, B, O, scored)
    h0 = torch.randn(B, H) * state_scale
    c0 = torch.randn(B, H) * state_scale if cell == "lstm" else None

    stepper = Stepper(cell, weights)
    states = run_and_check(stepper, inputs, h0, c0)
    normalizer = B * sum(scored)
    total = sum(step_loss(loss, stepper.readout(states[t + 1][0], inputs[t]), targets[t], normalizer)
                for t in range(T) if scored[t])
    total.backward(retain_graph=True)  # the log10-norm run below reuses the graph

    zeros = torch.zeros(B, H)
    grad_of = lambda x: to_list(x.grad if x.grad is not None else zeros)  # noqa: E731
    expected = {"loss": total.item(),
                "h": [to_list(s[0]) for s in states[1:]],
                "grads": {n: to_list(stepper.w[n].grad) for n in weights}}
    if not long:
        expected["dh"] = [grad_of(s[0]) for s in states]
        if cell == "lstm":
            expected["dc"] = [grad_of(s[1]) for s in states]
    if B == 1:
        assert scored == [False] * (T - 1) + [True], "log10 norms by VJP need a last-step loss"
        plain_norms = [s[0].grad.norm().item() for s in states[1:]]
        seed_h = states[T][0].grad.clone()
        norms = log10_norms_by_vjp(states, seed_h)  # (this may touch .grad: read it before)
        # Where float64 holds the plain gradients, they must agree with the renormalized run.
        for t in range(1, T + 1):
            plain = plain_norms[t - 1]
            if plain > 1e-140:  # torch.norm squares: below ~1e-154 it underflows
                assert abs(math.log10(plain) - norms[t - 1]) < 1e-9, (name, t)
        expected["log10_grad_norm_h"] = norms

    fixture = {"name": name, "cell": cell, "input_size": I, "hidden_size": H, "output_size": O,
               "length": T, "batch": B, "loss": loss, "scored": scored,
               "weights": {n: to_list(w) for n, w in weights.items()},
               "inputs": to_list(inputs),
               "targets": [None if y is None else to_list(y) for y in targets],
               "h0": to_list(h0)}
    if c0 is not None:
        fixture["c0"] = to_list(c0)
    fixture["expected"] = expected
    return fixture


def run_and_check(stepper, inputs, h0, c0):
    """Steps torch's module and checks it against the equations written out by hand."""
    states = run_forward(stepper, inputs, h0, c0)
    with torch.no_grad():
        for t in range(inputs.shape[0]):
            mine = manual_step(stepper.cell, stepper.w, inputs[t], states[t])
            for a, b in zip(mine, states[t + 1]):
                assert torch.allclose(a, b, rtol=1e-12, atol=1e-14), (stepper.cell, t)
    return states


def small_cases():
    T = 7
    last = [False] * (T - 1) + [True]
    every = [True] * T
    some = [False, True, False, True, False, False, True]      # last step scored
    early = [True, False, True, False, True, False, False]     # last step not scored
    cases = []
    for k, cell in enumerate(CELLS + list(MIN_CELLS) + ["lru"]):
        a, b = ("mse", "cross_entropy") if k % 2 == 0 else ("cross_entropy", "mse")
        seed = 1000 + 10 * k
        if cell == "lru":  # H = 6: three complex units; the paper's ring, then wide rotations
            ring = ("ring", 0.9, 0.999, math.pi / 10)
            cases += [
                (f"{cell}_last_{a}", cell, seed + 1, a, last, {"H": 6, "recurrent": ring}),
                (f"{cell}_every_{b}", cell, seed + 2, b, every, {"H": 6, "recurrent": ring}),
                (f"{cell}_wide-ring_some_{a}", cell, seed + 3, a, some,
                 {"H": 6, "recurrent": ("ring", 0.3, 0.95, 2 * math.pi), "state_scale": 1.0}),
                (f"{cell}_near-circle_early_{b}", cell, seed + 4, b, early,
                 {"H": 6, "recurrent": ("ring", 0.9999, 0.99999, math.pi)}),
            ]
            continue
        if cell in MIN_CELLS:  # no W_hh: "big" and "small" are the input Linear's scale
            cases += [
                (f"{cell}_last_{a}", cell, seed + 1, a, last, {}),
                (f"{cell}_every_{b}", cell, seed + 2, b, every, {}),
                (f"{cell}_big-input_some_{a}", cell, seed + 3, a, some,
                 {"recurrent": ("normal", 3.0), "state_scale": 1.0}),
                (f"{cell}_small-input_early_{b}", cell, seed + 4, b, early,
                 {"recurrent": ("normal", 0.2)}),
            ]
            continue
        cases += [
            (f"{cell}_last_{a}", cell, seed + 1, a, last, {}),
            (f"{cell}_every_{b}", cell, seed + 2, b, every, {}),
            (f"{cell}_big-whh_some_{a}", cell, seed + 3, a, some,
             {"recurrent": ("normal", 1.5), "state_scale": 1.0}),
            (f"{cell}_small-whh_early_{b}", cell, seed + 4, b, early,
             {"recurrent": ("normal", 0.2)}),
        ]
    return cases


def long_cases():
    T = 1000
    last = [False] * (T - 1) + [True]
    common = {"I": 3, "H": 16, "O": 2, "B": 1, "long": True}
    return [
        ("rnn-tanh_long_T1000", "rnn-tanh", 2001, "mse", last,
         dict(common, recurrent=("normal", 0.9))),
        ("lstm_long_T1000", "lstm", 2002, "mse", last, dict(common)),
        ("gru_long_T1000", "gru", 2003, "mse", last, dict(common)),
        ("mingru_long_T1000", "mingru", 2004, "mse", last, dict(common)),
        ("minlstm_long_T1000", "minlstm", 2005, "mse", last, dict(common)),
        ("lru_long_T1000", "lru", 2006, "mse", last,
         dict(common, recurrent=("ring", 0.9, 0.999, math.pi / 10))),
    ]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, cell, seed, loss, scored, kw in small_cases() + long_cases():
        fixture = make_fixture(name, cell, seed, loss, scored, **kw)
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
            f.write("\n")
        e = fixture["expected"]
        extra = ""
        if "log10_grad_norm_h" in e:
            n = e["log10_grad_norm_h"]
            extra = f"  log10|dL/dh_1| = {n[0]:.2f} (|dL/dh_T| {n[-1]:.2f})"
        print(f"{name:36s} loss {e['loss']:.6g}  {os.path.getsize(path) / 1024:7.1f} KiB{extra}")


if __name__ == "__main__":
    main()
