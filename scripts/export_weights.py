#!/usr/bin/env python3
"""Writes a torch.nn.RNN / LSTM / GRU layer (and the Linear that reads it, if you like) as a
safetensors file that gradscope reads: `gradscope decay --weights FILE`.

Only torch is needed: Debian's torch 1.13 has no safetensors package, so the header and the
bytes are written here (8-byte little-endian header length, JSON header, raw little-endian
tensors). Tensors keep their state_dict names (`encoder.rnn.weight_ih_l0`, ...), so the file is
also a valid safetensors state_dict for the `safetensors` package.

From Python, on a model you have in memory:

    import sys; sys.path.insert(0, "scripts"); from export_weights import export_layer
    export_layer(model.encoder.rnn, "my_rnn.safetensors", readout=model.fc)  # any RNN/LSTM/GRU
    # then: gradscope decay --weights my_rnn.safetensors

From the shell (the script runs under the python3 on PATH, which needs torch; on Debian with
a pyenv python first on PATH, run it as `/usr/bin/python3 scripts/export_weights.py ...`):

    scripts/export_weights.py model.pt --layer encoder.rnn [--readout fc] -o my_rnn.safetensors
        model.pt saved with torch.save(model) (its classes must be importable)
    scripts/export_weights.py state.pt --state-dict [--prefix encoder.rnn] -o my_rnn.safetensors
        a state_dict (torch.save(model.state_dict())): the floating-point tensors under the
        prefix (default: all of them; gradscope finds the recurrent layer)

--dtype float32|float64 converts every tensor (default: float32 and float64 stay as they are,
float16 and bfloat16 become float32, which holds them exactly; gradscope also reads F16 and BF16
files as they are, from other writers). An nn.RNN's
nonlinearity and the readout's name go into the file's metadata ("cell:<prefix>" = "rnn-relu",
"readout:<prefix>" = "fc.", the prefix ending in "." as in the tensors' names: "cell:rnn."),
which gradscope reads; a state_dict does not say the nonlinearity: --nonlinearity relu (or tanh)
records it for every plain RNN layer in the file, with or without --prefix.

`export_inputs(x, "seq.safetensors")` writes a sequence of shape (T, I) (or (T, 1, I)) for
`--inputs`. A minGRU, minLSTM or LRU module needs no conversion: write its state_dict as it is,
`write_safetensors("my_lru.safetensors", lru.state_dict())` (float32 or float64 tensors), and
gradscope finds the layer by its names.
"""
import argparse
import json
import re
import struct
import sys

try:
    import torch
except ImportError:
    sys.exit(f"export_weights: {sys.executable} has no torch: install it (Debian: apt-get install "
             "python3-torch) or run the script with a python that has it, e.g. "
             "/usr/bin/python3 scripts/export_weights.py ...")

DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8")}


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: tensor} (float32 or float64), written in this order; metadata: {str: str}."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().cpu().contiguous()
        if tensor.dtype not in DTYPES:
            raise ValueError(f"{name}: dtype {tensor.dtype}; convert to float32 or float64 first")
        code, numpy_dtype = DTYPES[tensor.dtype]
        data = tensor.numpy().astype(numpy_dtype, copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """The tensors of a safetensors file (F32 or F64) as {name: tensor}, and its metadata."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data, tensors = raw[8 + n:], {}
    for name, entry in header.items():
        dtype = {"F32": torch.float32, "F64": torch.float64}[entry["dtype"]]
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"])
    return tensors, metadata


def converted(tensor, dtype):
    if dtype is not None:
        return tensor.to(dtype)
    if tensor.dtype in (torch.float16, torch.bfloat16):
        return tensor.float()
    return tensor


def cell_name(layer):
    if isinstance(layer, (torch.nn.LSTM, torch.nn.LSTMCell)):
        return "lstm"
    if isinstance(layer, (torch.nn.GRU, torch.nn.GRUCell)):
        return "gru"
    if isinstance(layer, (torch.nn.RNN, torch.nn.RNNCell)):
        return "rnn-" + layer.nonlinearity
    raise TypeError(f"{type(layer).__name__} is not an RNN, LSTM or GRU (or their Cell)")


def layer_prefix(name):
    """The prefix of a layer's tensor names: "" for none, else ending in one "." ("rnn" and
    "rnn." give "rnn."), as gradscope reads the metadata key "cell:<prefix>"."""
    name = name.rstrip(".")
    return name + "." if name else ""


RNN_WEIGHT_HH = re.compile(r"^(.*)weight_hh(_l[0-9]+)?(_reverse)?$")


def plain_rnn_prefixes(tensors):
    """The prefixes of the plain RNN layers among state_dict tensors: weight_hh square (H x H;
    an LSTM's has 4H rows, a GRU's 3H)."""
    found = []
    for name, tensor in tensors.items():
        match = RNN_WEIGHT_HH.match(name)
        if match and tensor.dim() == 2 and tensor.shape[0] == tensor.shape[1]:
            if match.group(1) not in found:
                found.append(match.group(1))
    return found


def export_layer(layer, path, name="rnn", readout=None, readout_name="readout", dtype=None):
    """Writes `layer` (nn.RNN / LSTM / GRU or their Cell; every layer and direction it has) as
    `<name>.weight_ih_l0`, ... and, if given, the nn.Linear `readout` as `<readout_name>.weight`
    and `.bias`, in `dtype` (None: as they are, float16/bfloat16 as float32)."""
    prefix = layer_prefix(name)
    readout_name = readout_name.rstrip(".")
    metadata = {"format": "pt", "cell:" + prefix: cell_name(layer)}
    tensors = {prefix + k: converted(v, dtype) for k, v in layer.state_dict().items()}
    if readout is not None:
        if not isinstance(readout, torch.nn.Linear):
            raise TypeError(f"the readout is a {type(readout).__name__}, not an nn.Linear")
        for k, v in readout.state_dict().items():
            tensors[readout_name + "." + k] = converted(v, dtype)
        metadata["readout:" + prefix] = readout_name + "."
    write_safetensors(path, tensors, metadata)


def export_inputs(x, path, dtype=None):
    """A sequence for `gradscope ... --inputs`: shape (T, I), or (T, 1, I) with batch 1."""
    x = x.detach()
    if x.dim() == 3 and x.shape[1] == 1:
        x = x[:, 0, :]
    if x.dim() != 2:
        raise ValueError(f"inputs of shape {tuple(x.shape)}: expected (T, I) or (T, 1, I)")
    write_safetensors(path, {"inputs": converted(x, dtype)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="torch.save'd module, or a state_dict with --state-dict")
    parser.add_argument("-o", "--output", required=True, help="the .safetensors file to write")
    parser.add_argument("--layer", help="attribute path of the RNN/LSTM/GRU, e.g. encoder.rnn")
    parser.add_argument("--readout", help="attribute path of an nn.Linear reading it, e.g. fc")
    parser.add_argument("--state-dict", action="store_true", help="FILE is a state_dict")
    parser.add_argument("--prefix", default="",
                        help="with --state-dict: keys under this prefix (rnn and rnn. are the same)")
    parser.add_argument("--nonlinearity", choices=["tanh", "relu"],
                        help="with --state-dict: the plain RNN's nonlinearity, recorded in the file")
    parser.add_argument("--dtype", choices=["float32", "float64"])
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype) if args.dtype else None
    loaded = torch.load(args.file, map_location="cpu")
    if args.state_dict:
        if not isinstance(loaded, dict):
            sys.exit(f"export_weights: {args.file} holds a {type(loaded).__name__}, not a state_dict")
        prefix = layer_prefix(args.prefix)
        tensors = {k: converted(v, dtype) for k, v in loaded.items()
                   if k.startswith(prefix) and torch.is_tensor(v) and v.is_floating_point()}
        if not tensors:
            sys.exit(f"export_weights: no floating-point tensor under {prefix!r}")
        metadata = {"format": "pt"}
        rnns = plain_rnn_prefixes(tensors)  # the metadata key is the names' own prefix
        if args.nonlinearity:
            if not rnns:
                sys.exit("export_weights: --nonlinearity is for a plain RNN (weight_hh H x H), and "
                         f"the tensors under {prefix!r} hold none")
            for rnn in rnns:
                metadata["cell:" + rnn] = "rnn-" + args.nonlinearity
        elif rnns:
            print("export_weights: note: a state_dict does not say a plain RNN's nonlinearity, and "
                  "gradscope then takes tanh (torch's default); --nonlinearity relu records relu",
                  file=sys.stderr)
        write_safetensors(args.output, tensors, metadata)
    else:
        if not isinstance(loaded, torch.nn.Module) or not args.layer:
            sys.exit("export_weights: give a torch.save'd module and --layer (or --state-dict)")
        layer_path, readout_path = args.layer.rstrip("."), (args.readout or "").rstrip(".")
        readout = loaded.get_submodule(readout_path) if readout_path else None
        export_layer(loaded.get_submodule(layer_path), args.output, name=layer_path,
                     readout=readout, readout_name=readout_path or "readout", dtype=dtype)
    print(f"export_weights: wrote {args.output}")


if __name__ == "__main__":
    main()
