"""Writes the committed fixtures of "your own model" (issue 12): torch.nn.LSTM, GRU and RNN
layers with fixed seeds, exported with scripts/export_weights.py in float32 and float64, the
input sequences, and PyTorch's log10 ||dL/dh_t|| for each (torch_cells.py's replay, float64),
which tests/unit/test_own_model.cpp holds gradscope to (1e-10 in log10, precision f64). Also
lstm_small.safetensors, an LSTM trained by PyTorch on the adding problem, for the page's
end-to-end test. CI needs no torch: the files are committed.

Regenerate (Debian 12; Debian's torch, not a pyenv python):
    /usr/bin/python3 tests/reference/make_weight_fixtures.py
It rewrites tests/reference/fixtures/weights/ and prints one line per case.

weights_reference.json: {"cases": [{name, weights (file), inputs (file), layer, readout
("none" or a prefix), cell, file_dtype, steps, seed ("ones" or "readout"),
log10_grad_norm_h [T] (t = 1..T)}]}. The gradscope run of a case:
    gradscope decay --weights <weights> --inputs <inputs> [--layer k] [--readout r] --precision f64
"""
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from export_weights import (export_inputs, export_layer, read_safetensors,  # noqa: E402
                            write_safetensors)
from torch_cells import (LRU_NAMES, MIN_CELLS, Stepper, log10_norms_by_vjp,  # noqa: E402
                         run_forward)  # (float64 default)

OUT = os.path.join(HERE, "fixtures", "weights")
T = 200
ITERATIONS = 2000  # lstm_small's training


class Net(torch.nn.Module):
    """A model around the recurrent layer, so that the names have a prefix."""

    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Module()
        self.encoder.lstm = torch.nn.LSTM(3, 8, num_layers=2)
        self.head = torch.nn.Linear(8, 4)


def layers():
    """(name, file stem, export_layer's arguments, cases: (case, layer, readout, inputs I))."""
    torch.manual_seed(12001)
    net = Net()
    torch.manual_seed(12002)
    gru = torch.nn.GRU(4, 6)
    torch.manual_seed(12003)
    rnn = torch.nn.RNN(3, 7)
    fc = torch.nn.Linear(7, 2)
    torch.manual_seed(12004)
    relu = torch.nn.RNN(3, 6, nonlinearity="relu", bias=False)
    with torch.no_grad():  # W_hh near the edge, so that the gradient neither dies nor explodes
        relu.weight_hh_l0.copy_(torch.eye(6) * 0.9 + 0.1 * relu.weight_hh_l0)
    return [
        ("lstm", dict(layer=net.encoder.lstm, name="encoder.lstm", readout=net.head,
                      readout_name="head"),
         [("lstm_layer0", 0, None, 3), ("lstm_layer1_head", 1, None, 8)]),
        ("gru", dict(layer=gru, name=""), [("gru", None, None, 4)]),
        ("rnn_tanh", dict(layer=rnn, name="rnn", readout=fc, readout_name="fc"),
         [("rnn_tanh_fc", None, None, 3), ("rnn_tanh_no_readout", None, "none", 3)]),
        ("rnn_relu", dict(layer=relu, name="cell"), [("rnn_relu_no_bias", None, None, 3)]),
    ]


def layer_weights(tensors, metadata, layer, readout):
    """The tensors gradscope reads for (layer, readout), under PyTorch's _l0 names, and the
    readout's weight if used (None: none)."""
    suffix = f"_l{layer or 0}"
    prefix = next(k[:-len("weight_ih" + suffix)] for k in tensors
                  if k.endswith("weight_ih" + suffix))
    w = {}
    for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        name = prefix + kind + suffix
        w[kind + "_l0"] = tensors[name].double() if name in tensors else None
    gh = w["weight_hh_l0"].shape[0]
    for kind in ("bias_ih_l0", "bias_hh_l0"):
        if w[kind] is None:
            w[kind] = torch.zeros(gh)
    layers = sorted({int(k.split("weight_ih_l")[1].split("_")[0]) for k in tensors
                     if k.startswith(prefix + "weight_ih_l")})
    head = readout
    if head is None:  # the file's own, for its last layer only (as gradscope reads it)
        head = metadata.get("readout:" + prefix) if (layer or 0) == layers[-1] else None
    if head in (None, "none"):
        return w, None, metadata.get("cell:" + prefix)
    return w, tensors[head + "weight"].double(), metadata.get("cell:" + prefix)


def cell_of(w, recorded):
    gates = w["weight_hh_l0"].shape[0] // w["weight_hh_l0"].shape[1]
    return {4: "lstm", 3: "gru"}.get(gates, recorded or "rnn-tanh")


def replay(path, inputs_path, layer, readout):
    tensors, metadata = read_safetensors(path)
    w, head, recorded = layer_weights(tensors, metadata, layer, readout)
    cell = cell_of(w, recorded)
    stepper = Stepper(cell, w)
    H = w["weight_hh_l0"].shape[1]
    x = read_safetensors(inputs_path)[0]["inputs"].double().unsqueeze(1)  # (T, 1, I)
    zeros = torch.zeros(1, H)
    states = run_forward(stepper, x, zeros, zeros if cell == "lstm" else None)
    if head is None:
        seed, kind = torch.ones(1, H) / math.sqrt(H), "ones"
    else:
        O = head.shape[0]
        seed, kind = (head.t() @ (torch.ones(O) / math.sqrt(O))).reshape(1, H), "readout"
    return cell, kind, log10_norms_by_vjp(states, seed)


class MinGRULayer(torch.nn.Module):
    """minGRU-pytorch's minGRU(dim, expansion_factor): its two Linears as that module names them
    (bias=False, as its default); gradscope reads to_hidden_and_gate (rows h, z) and not to_out,
    which maps the hidden state back to dim outside the recurrence."""

    def __init__(self, dim, hidden, gates):
        super().__init__()
        linear = {2: "to_hidden_and_gate", 3: "to_hidden_and_f_i_gate"}[gates]
        setattr(self, linear, torch.nn.Linear(dim, gates * hidden, bias=False))
        self.to_out = torch.nn.Linear(hidden, dim, bias=False)


class LRULayer(torch.nn.Module):
    """Orvieto et al. 2023's minimal LRU (dim in = dim out, so D is the elementwise skip), its
    parameters named and drawn as the paper's code does: the ring r_min..r_max, phases up to
    max_phase, gamma = sqrt(1 - |lambda|^2)."""

    def __init__(self, dim, units, r_min=0.9, r_max=0.999, max_phase=math.pi / 10):
        super().__init__()
        modulus2 = torch.rand(units) * (r_max ** 2 - r_min ** 2) + r_min ** 2
        p = torch.nn.Parameter
        self.nu_log = p(torch.log(-0.5 * torch.log(modulus2)))
        self.theta_log = p(torch.log(max_phase * torch.rand(units)))
        self.gamma_log = p(0.5 * torch.log1p(-modulus2))
        self.B_re = p(torch.randn(units, dim) / math.sqrt(2 * dim))
        self.B_im = p(torch.randn(units, dim) / math.sqrt(2 * dim))
        self.C_re = p(torch.randn(dim, units) / math.sqrt(units))
        self.C_im = p(torch.randn(dim, units) / math.sqrt(units))
        self.D = p(torch.randn(dim))


def reference_checkpoints():
    """(stem, cell, module whose state_dict is written, prefix of the layer's names in it, I):
    the naming schemes of the reference implementations of the minGRU, the minLSTM and the LRU,
    as a model around the layer writes them."""
    torch.manual_seed(12007)
    mingru = torch.nn.Module()
    mingru.layers = torch.nn.ModuleList([MinGRULayer(3, 6, 2)])
    torch.manual_seed(12008)
    minlstm = torch.nn.Module()
    minlstm.layers = torch.nn.ModuleList([MinGRULayer(3, 5, 3)])
    torch.manual_seed(12009)
    lru = torch.nn.Module()
    lru.lru = LRULayer(3, 8)
    return [("mingru", "mingru", mingru, "layers.0.", 3), ("minlstm", "minlstm", minlstm, "layers.0.", 3),
            ("lru", "lru", lru, "lru.", 3)]


def replay_checkpoint(path, inputs_path, cell, prefix):
    """PyTorch's log10 ||dL/dh_t|| for a reference-named checkpoint, seeded as gradscope seeds a
    model read from a file: through its readout (the LRU's C and D), the outputs summed over
    sqrt(O); without one (the minimal cells' to_out is no readout gradscope reads), h_T's units
    summed over sqrt(H)."""
    tensors = {k[len(prefix):]: v.double() for k, v in read_safetensors(path)[0].items()
               if k.startswith(prefix)}
    if cell == "lru":
        w = {n: tensors[n] for n in LRU_NAMES}
        H = 2 * w["nu_log"].shape[0]
    else:
        linear = MIN_CELLS[cell][0]
        w = {linear + ".weight": tensors[linear + ".weight"],
             linear + ".bias": torch.zeros(tensors[linear + ".weight"].shape[0])}  # bias=False
        H = w[linear + ".weight"].shape[0] // MIN_CELLS[cell][1]
    if cell == "lru" and w["D"].dim() == 1:
        w["D"] = torch.diag(w["D"])  # the elementwise skip as the matrix gradscope holds
    stepper = Stepper(cell, w)
    x = read_safetensors(inputs_path)[0]["inputs"].double().unsqueeze(1)  # (T, 1, I)
    states = run_forward(stepper, x, torch.zeros(1, H))
    if cell != "lru":
        return "ones", log10_norms_by_vjp(states, torch.ones(1, H) / math.sqrt(H))
    h = states[-1][0].detach().requires_grad_(True)
    y = stepper.readout(h, x[-1])
    (seed,) = torch.autograd.grad(y.sum() / math.sqrt(y.shape[1]), h)
    return "readout", log10_norms_by_vjp(states, seed)


def adding_batch(T_, B, generator):
    """The adding problem as gradscope states it (core/training/tasks.h): values U(0,1), one marker in
    each half, target the sum of the two marked values."""
    x = torch.zeros(T_, B, 2)
    x[:, :, 0] = torch.rand(T_, B, generator=generator)
    first = torch.randint(0, T_ // 2, (B,), generator=generator)
    second = torch.randint(T_ // 2, T_, (B,), generator=generator)
    rows = torch.arange(B)
    x[first, rows, 1] = 1
    x[second, rows, 1] = 1
    y = x[first, rows, 0] + x[second, rows, 0]
    return x, y.unsqueeze(1)


def train_lstm_small(path):
    """An LSTM (2 inputs, 16 units) with a Linear readout, trained by PyTorch (float32, Adam,
    lr 0.01, clip 1, batch 32) on the adding problem at T = 50 for ITERATIONS iterations."""
    torch.manual_seed(12005)
    generator = torch.Generator().manual_seed(12006)
    lstm = torch.nn.LSTM(2, 16).float()
    readout = torch.nn.Linear(16, 1).float()
    params = list(lstm.parameters()) + list(readout.parameters())
    optimizer = torch.optim.Adam(params, lr=0.01)
    losses = []
    for _ in range(ITERATIONS):
        x, y = adding_batch(50, 32, generator)
        out, _ = lstm(x.float())
        loss = ((readout(out[-1]) - y.float()) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        losses.append(loss.item())
    export_layer(lstm, path, name="rnn", readout=readout, readout_name="readout",
                 dtype=torch.float32)
    return sum(losses[:40]) / 40, sum(losses[-40:]) / 40


def main():
    import json
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(12000)
    for size in (3, 4, 8):
        export_inputs(torch.randn(T, size), os.path.join(OUT, f"inputs_i{size}.safetensors"),
                      dtype=torch.float64)
    cases = []
    for stem, kwargs, layer_cases in layers():
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            name = f"{stem}_{tag}.safetensors"
            export_layer(path=os.path.join(OUT, name), dtype=dtype, **kwargs)
            for case, layer, readout, size in layer_cases:
                inputs = f"inputs_i{size}.safetensors"
                cell, kind, curve = replay(os.path.join(OUT, name), os.path.join(OUT, inputs),
                                           layer, readout)
                cases.append({"name": f"{case}_{tag}", "weights": name, "inputs": inputs,
                              "layer": layer, "readout": readout, "cell": cell,
                              "file_dtype": tag, "steps": T, "seed": kind,
                              "log10_grad_norm_h": curve})
                print(f"{case}_{tag:4s} {cell:9s} seed={kind:8s} log10|dL/dh_1| = {curve[0]:9.4f}"
                      f"  |dL/dh_T| = {curve[-1]:7.4f}")
    for stem, cell, module, prefix, size in reference_checkpoints():
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            name = f"{stem}_{tag}.safetensors"
            write_safetensors(os.path.join(OUT, name),
                              {k: v.detach().to(dtype) for k, v in module.state_dict().items()})
            inputs = f"inputs_i{size}.safetensors"
            kind, curve = replay_checkpoint(os.path.join(OUT, name), os.path.join(OUT, inputs),
                                            cell, prefix)
            cases.append({"name": f"{stem}_{tag}", "weights": name, "inputs": inputs,
                          "layer": None, "readout": None, "cell": cell, "file_dtype": tag,
                          "steps": T, "seed": kind, "log10_grad_norm_h": curve})
            print(f"{stem}_{tag:4s} {cell:9s} seed={kind:8s} log10|dL/dh_1| = {curve[0]:9.4f}"
                  f"  |dL/dh_T| = {curve[-1]:7.4f}")
    with open(os.path.join(OUT, "weights_reference.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")
    first, last = train_lstm_small(os.path.join(OUT, "lstm_small.safetensors"))
    print(f"lstm_small.safetensors: adding T=50, mean loss {first:.4f} (first 40) -> "
          f"{last:.4f} (last 40 of {ITERATIONS} iterations; chance 0.167)")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
