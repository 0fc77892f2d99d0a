"""PyTorch side of gradscope's reference checks (float64), shared by make_fixtures.py and
check_cli_export.py. Needs Debian's python3-torch; run under /usr/bin/python3.

Cells are stepped one time step at a time with torch's own modules (nn.RNN tanh/relu, nn.LSTM,
nn.GRU) so that every hidden state h_t (and LSTM c_t) is a separate tensor of the autograd graph
and its total gradient can be read back. rnn-sigmoid and rnn-identity have no torch module; they
are written out here, h' = act(W_ih x + b_ih + W_hh h + b_hh), and autograd differentiates them.
`manual_step` writes every cell's equations out by hand, as docs/ARCHITECTURE.md states them; the fixture
script asserts that torch's modules agree with it, so the fixtures also pin the equations.

State gradients follow the state-variable convention: (h_t, c_t) are the outputs of step t, and
dL/dc_t is the gradient reaching c_t from step t+1 (torch's c_n.grad when stepping), i.e. it does
not include the path c_t -> h_t inside step t. So dL/dc_T = 0 when the loss reads only h_T.
"""
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

CELLS = ["rnn-tanh", "rnn-relu", "rnn-sigmoid", "rnn-identity", "lstm", "gru"]
# Feng et al. 2024's minimal cells, as lucidrains/minGRU-pytorch names and steps them: one
# Linear of the input (no W_hh), rows stacked as the tuple says.
MIN_CELLS = {"mingru": ("to_hidden_and_gate", 2), "minlstm": ("to_hidden_and_f_i_gate", 3)}
GATES = {"lstm": 4, "gru": 3, "mingru": 2, "minlstm": 3}
# Orvieto et al. 2023's LRU, with its minimal reference code's tensor names. Its state is complex;
# here (as in gradscope) it is the real tensor [Re h, Im h] of 2N columns, so that every state of
# every cell is a real tensor the same code differentiates.
LRU_NAMES = ["nu_log", "theta_log", "gamma_log", "B_re", "B_im", "C_re", "C_im", "D"]
WEIGHT_NAMES = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_out",
                "bias_out"]
RNN_ACT = {"rnn-tanh": torch.tanh, "rnn-relu": torch.relu, "rnn-sigmoid": torch.sigmoid,
           "rnn-identity": lambda a: a}


def gate_count(cell):
    return GATES.get(cell, 1)


class Stepper:
    """One recurrent layer (PyTorch names and layout) stepped one time step at a time."""

    def __init__(self, cell, weights):
        self.cell = cell
        self.w = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in weights.items()}
        self.module = None
        if cell in MIN_CELLS or cell == "lru":  # no torch module: manual_step writes them
            for t in self.w.values():
                t.requires_grad_(True)
            return
        input_size = self.w["weight_ih_l0"].shape[1]
        hidden = self.w["weight_hh_l0"].shape[1]
        if cell in ("rnn-tanh", "rnn-relu"):
            self.module = torch.nn.RNN(input_size, hidden, nonlinearity=cell[4:])
        elif cell == "lstm":
            self.module = torch.nn.LSTM(input_size, hidden)
        elif cell == "gru":
            self.module = torch.nn.GRU(input_size, hidden)
        if self.module is not None:  # the module's own parameters take the given values
            self.module.double()
            with torch.no_grad():
                for name in WEIGHT_NAMES[:4]:
                    getattr(self.module, name).copy_(self.w[name])
                    self.w[name] = getattr(self.module, name)
        for t in self.w.values():
            t.requires_grad_(True)

    def step(self, x, state):
        """x (B, I); state (h,) or (h, c) with h, c (B, H). Returns the new state tuple."""
        if self.module is None:
            return manual_step(self.cell, self.w, x, state)
        if self.cell == "lstm":
            _, (h, c) = self.module(x.unsqueeze(0), (state[0].unsqueeze(0), state[1].unsqueeze(0)))
            return (h[0], c[0])
        _, h = self.module(x.unsqueeze(0), state[0].unsqueeze(0))
        return (h[0],)

    def readout(self, h, x):
        if self.cell == "lru":  # y = Re(C h) + D x
            n = self.w["nu_log"].shape[0]
            c = torch.complex(self.w["C_re"], self.w["C_im"])
            return (torch.complex(h[:, :n], h[:, n:]) @ c.T).real + x @ self.w["D"].T
        return F.linear(h, self.w["weight_out"], self.w["bias_out"])


def min_g(v):
    """minGRU-pytorch's g: v + 1/2 for v >= 0, sigmoid(v) below."""
    return torch.where(v >= 0, v + 0.5, torch.sigmoid(v))


def manual_step(cell, w, x, state):
    """Every cell's equations written out, exactly as docs/ARCHITECTURE.md states them."""
    h = state[0]
    if cell == "lru":  # the reference: lambda h + (B_re + i B_im) exp(gamma_log) x, complex
        n = w["nu_log"].shape[0]
        lam = torch.exp(torch.complex(-torch.exp(w["nu_log"]), torch.exp(w["theta_log"])))
        b_norm = torch.complex(w["B_re"], w["B_im"]) * torch.exp(w["gamma_log"]).unsqueeze(-1)
        hc = lam * torch.complex(h[:, :n], h[:, n:]) + x.to(b_norm.dtype) @ b_norm.T
        return (torch.cat([hc.real, hc.imag], dim=1),)
    if cell in MIN_CELLS:
        linear = MIN_CELLS[cell][0]
        parts = F.linear(x, w[linear + ".weight"], w[linear + ".bias"])
        if cell == "mingru":  # minGRU.forward, seq_len 1: lerp(prev, g(hidden), sigmoid(gate))
            hidden, gate = parts.chunk(2, dim=1)
            return (torch.lerp(h, min_g(hidden), torch.sigmoid(gate)),)
        hidden, f, i = parts.chunk(3, dim=1)  # minLSTM.forward, seq_len 1
        f, i = torch.sigmoid(f), torch.sigmoid(i)
        return (h * (f / (f + i)) + min_g(hidden) * (i / (f + i)),)
    gi = F.linear(x, w["weight_ih_l0"], w["bias_ih_l0"])
    gh = F.linear(h, w["weight_hh_l0"], w["bias_hh_l0"])
    if cell in RNN_ACT:
        return (RNN_ACT[cell](gi + gh),)
    if cell == "lstm":
        i, f, g, o = (gi + gh).chunk(4, dim=1)
        c = torch.sigmoid(f) * state[1] + torch.sigmoid(i) * torch.tanh(g)
        return (torch.sigmoid(o) * torch.tanh(c), c)
    if cell == "gru":
        ir, iz, in_ = gi.chunk(3, dim=1)
        hr, hz, hn = gh.chunk(3, dim=1)
        r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
        n = torch.tanh(in_ + r * hn)
        return ((1 - z) * n + z * h,)
    raise ValueError(f"unknown cell {cell!r}")


def step_loss(kind, y, target, normalizer):
    """mse: sum over outputs of (y - target)^2; cross_entropy: softmax CE against one-hot
    targets; both summed over the batch and divided by `normalizer` (= B * scored steps)."""
    if kind == "mse":
        return ((y - target) ** 2).sum() / normalizer
    if kind == "cross_entropy":
        return -(target * F.log_softmax(y, dim=1)).sum() / normalizer
    raise ValueError(f"unknown loss {kind!r}")


def run_forward(stepper, inputs, h0, c0=None):
    """inputs (T, B, I). Returns the list of states, states[t] = (h_t[, c_t]) for t = 0..T,
    every one a tensor of the graph (h0/c0 are leaves that require grad)."""
    state = (h0.clone().requires_grad_(True),)
    if stepper.cell == "lstm":
        state += (c0.clone().requires_grad_(True),)
    states = [state]
    for t in range(inputs.shape[0]):
        state = stepper.step(inputs[t], state)
        for s in state:
            s.retain_grad()
        states.append(state)
    return states


def log10_norms_by_vjp(states, seed_h, seed_c=None):
    """log10 ||dL/dh_t||_2 for t = 1..T when the loss reaches the states only through
    dL/dh_T = seed_h (and dL/dc_T = seed_c). The backward vector is carried one step at a time
    by torch's vector-Jacobian products and renormalized at every step while its log10 scale is
    accumulated, so the result is exact at any depth (no underflow, no overflow)."""
    T = len(states) - 1
    grads = [seed_h.detach().clone()]
    if len(states[0]) == 2:
        grads.append(torch.zeros_like(seed_h) if seed_c is None else seed_c.detach().clone())
    log_scale = 0.0
    out = [0.0] * T
    for t in range(T, 0, -1):
        norm_h = grads[0].norm().item()
        out[t - 1] = (math.log10(norm_h) if norm_h > 0 else -math.inf) + log_scale
        prev = torch.autograd.grad(states[t], states[t - 1], grad_outputs=grads,
                                   retain_graph=True, allow_unused=True)
        grads = [g if g is not None else torch.zeros_like(s) for g, s in zip(prev, states[t - 1])]
        scale = max(g.norm().item() for g in grads)
        if scale > 0:
            grads = [g / scale for g in grads]
            log_scale += math.log10(scale)
    return out
