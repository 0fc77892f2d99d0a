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

From the shell (Debian's /usr/bin/python3, which has torch):

    scripts/export_weights.py model.pt --layer encoder.rnn [--readout fc] -o my_rnn.safetensors
        model.pt saved with torch.save(model) (its classes must be importable)
    scripts/export_weights.py state.pt --state-dict [--prefix encoder.rnn.] -o my_rnn.safetensors
        a state_dict (torch.save(model.state_dict())): the floating-point tensors under the
        prefix (default: all of them; gradscope finds the recurrent layer)

--dtype float32|float64 converts every tensor (default: float32 and float64 stay as they are,
float16 and bfloat16 become float32, since gradscope reads F32 and F64). An nn.RNN's
nonlinearity and the readout's name go into the file's metadata ("cell:<prefix>" = "rnn-relu",
"readout:<prefix>" = "fc."), which gradscope reads; a state_dict does not say the
nonlinearity (--nonlinearity relu does).

`export_inputs(x, "seq.safetensors")` writes a sequence of shape (T, I) (or (T, 1, I)) for
`--inputs`.
"""
import argparse
import json
import struct
import sys

import torch

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


def export_layer(layer, path, name="rnn", readout=None, readout_name="readout", dtype=None):
    """Writes `layer` (nn.RNN / LSTM / GRU or their Cell; every layer and direction it has) as
    `<name>.weight_ih_l0`, ... and, if given, the nn.Linear `readout` as `<readout_name>.weight`
    and `.bias`, in `dtype` (None: as they are, float16/bfloat16 as float32)."""
    prefix = name + "." if name else ""
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
    parser.add_argument("--prefix", default="", help="with --state-dict: keys under this prefix")
    parser.add_argument("--nonlinearity", choices=["tanh", "relu"],
                        help="with --state-dict: an RNN's nonlinearity, recorded in the file")
    parser.add_argument("--dtype", choices=["float32", "float64"])
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype) if args.dtype else None
    loaded = torch.load(args.file, map_location="cpu")
    if args.state_dict:
        if not isinstance(loaded, dict):
            sys.exit(f"export_weights: {args.file} holds a {type(loaded).__name__}, not a state_dict")
        tensors = {k: converted(v, dtype) for k, v in loaded.items()
                   if k.startswith(args.prefix) and torch.is_tensor(v) and v.is_floating_point()}
        if not tensors:
            sys.exit(f"export_weights: no floating-point tensor under {args.prefix!r}")
        metadata = {"format": "pt"}
        if args.nonlinearity and args.prefix:
            metadata["cell:" + args.prefix] = "rnn-" + args.nonlinearity
        write_safetensors(args.output, tensors, metadata)
    else:
        if not isinstance(loaded, torch.nn.Module) or not args.layer:
            sys.exit("export_weights: give a torch.save'd module and --layer (or --state-dict)")
        readout = loaded.get_submodule(args.readout) if args.readout else None
        export_layer(loaded.get_submodule(args.layer), args.output, name=args.layer,
                     readout=readout, readout_name=args.readout or "readout", dtype=dtype)
    print(f"export_weights: wrote {args.output}")


if __name__ == "__main__":
    main()
