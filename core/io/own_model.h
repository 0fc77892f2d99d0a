// Your own model: a trained torch.nn.RNN / LSTM / GRU layer read from a file, so that every
// analysis runs on it instead of on drawn weights; and a model written as such a file.
//
// Two formats, told apart by their bytes:
// - safetensors (safetensors.h), PyTorch's names under any prefix: `<prefix>weight_ih_l<k>`
//   (G H x I), `weight_hh_l<k>` (G H x H), `bias_ih_l<k>`, `bias_hh_l<k>` (G H; both absent for
//   bias=False: zeros), as nn.RNN / LSTM / GRU's state_dict holds them (nn.RNNCell & co.: the
//   same without `_l<k>`). The cell kind comes from the shapes: G = 4 LSTM, 3 GRU, 1 RNN, whose
//   nonlinearity the file's metadata may record ("cell:<prefix>" = "rnn-relu", as gradscope and
//   scripts/export_weights.py write it), else the caller's (the `cell` key), else tanh.
// - the JSON record of `decay --export` / `spectrum --export`: its weights, inputs, h0 (c0),
//   seed gradient and precision, so that an export reloads to exactly its numbers.
//
// Every problem is one line returned as a value, and nothing is changed: the page's worker has
// no exceptions.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bptt/decay.h"

namespace gs {

// A model's input size, at most (a step's inputs are kept for every step, like its state).
inline constexpr int kMaxOwnInputSize = 1024;

// A decay / spectrum --export record (JSON) is parsed whole, and JSON takes several times its
// size in memory (up to ~20 times for short numbers): gradscope reads records of at most 64 MB
// (an LSTM with hidden size 800 writes about 55 MB) holding at most 8,000,000 values, and says
// to use a safetensors file (decay --save) for a larger model. Both are checked before parsing.
inline constexpr std::size_t kMaxExportBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxExportValues = 8000000;

// Which layer of a safetensors file, and its readout.
struct LoadOptions {
  std::string prefix;          // the layer's names' prefix ("encoder.lstm." or "encoder.lstm")
  bool prefix_given = false;   // else the file must hold one recurrent layer, whatever its prefix
  int layer = 0;               // `_l<k>` of a multi-layer nn.RNN / LSTM / GRU
  bool layer_given = false;    // else layer 0, and `note` says so if there are more
  // The readout, a Linear's prefix: <readout>.weight (O x H) and .bias (O, optional). Not
  // given: the one the file's metadata names for the layer ("readout:<prefix>", as gradscope
  // writes it), if any; given as "none": none.
  std::string readout;
  bool readout_given = false;
};

struct OwnModel {
  // The cell, its sizes and weights in double (float32 values widened exactly). A readout read
  // with LoadOptions::readout (or an export's) is weight_out / bias_out, output_size O; else 0.
  Model model;
  bool cell_recorded = false;  // the file says the RNN's nonlinearity (metadata, an export)
  Precision precision = Precision::F32;  // F64 if a tensor read is F64 (an export: its own)
  // From an export only: the sequence, the initial state and dL/dh_T it started from.
  bool from_export = false;
  std::vector<Mat> inputs;  // (I, 1) per step: the task's whole sequence (copy: length + 20)
  Mat h0, c0, seed_grad_h;
  // The export's config (its "config" object, key and value text), which the reload adopts
  // for the keys not given explicitly, so that it is the exported run's config; empty if the
  // record has none.
  std::vector<std::pair<std::string, std::string>> export_config;
  std::string readout_prefix;  // the readout's prefix as read, "" for none
  std::string description;     // one line: what was read, e.g. "lstm 'rnn.' layer 0: ..."
  std::string note;            // "" or what the caller should tell: "the file has 2 layers ..."
};

// Reads a model from the bytes of a file (safetensors or a decay/spectrum export). Returns ""
// or one line saying what is wrong with the file.
std::string load_model(const unsigned char* bytes, std::size_t size, const LoadOptions& options,
                       OwnModel& out);

// One sequence's memory with the model's inputs counted too: config.cpp's limit on
// steps x (hidden + 10), here steps x (hidden + input size + 10).
inline constexpr long long kMaxOwnSequenceUnits = 5000000;

// Reads a sequence of inputs from safetensors bytes: one tensor of shape (T, I) (the tensor
// named "inputs" if there are several), F32 or F64, finite. `description` says which tensor.
// The shape is checked before any value is read: I <= kMaxOwnInputSize, and T steps must fit
// the sequence limit with the model's `hidden_size` (T x (hidden + I + 10)).
// Every recurrent layer a safetensors file holds, as the LoadOptions that read it (its prefix and
// layer given) and a label ("layer 1 of encoder.lstm."): what a page lets its reader pick from.
// Empty for a file that is not safetensors or holds no layer; a cell module (LSTMCell) is one.
struct LayerChoice {
  LoadOptions options;
  std::string label;
};
std::vector<LayerChoice> layer_choices(const unsigned char* bytes, std::size_t size);

std::string load_inputs(const unsigned char* bytes, std::size_t size, std::vector<Mat>& inputs,
                        std::string& description, int hidden_size = 1);

// How the probes use a loaded model under `config`, which it updates:
// - cell, hidden: the model's; a key in `explicit_keys` that disagrees is an error (an RNN's
//   nonlinearity may be given by `cell` unless the file records one); precision: the file's
//   unless explicit (then it is the computation's: f32 rounds float64 weights);
// - init, scale, radius, forget_bias, chrono: they shape drawn weights, so given explicitly
//   they are an error;
// - the inputs: an export's, else `user_inputs` (T x I, fixing the length), else the task's if
//   the model's input size is the task's, else standard normal from the seed;
// - the seed gradient dL/dh_T: an export's; else, with the task's inputs and a readout of the
//   task's output size, the task loss at the last step (exactly as for a drawn model); else
//   with a readout W (O x H), W^T (1, ..., 1) / sqrt(O) (the gradient of y_T's outputs summed,
//   over sqrt(O)); else (1, ..., 1) / sqrt(H): the gradient of h_T's units summed, over sqrt(H).
// An export: its config's keys (those not in `explicit_keys`) are adopted, and its sequence is
// the task's whole sequence of the length (copy: length + 20 steps), so it reloads to the
// exported config and curve; an explicit length or task must fit its steps.
// `sweeps`: the command varies the length (config.lengths): the lengths must fit the inputs
// from a file, and an export (whose seed gradient is of its own length) is refused. `lines`
// gets what to print (the model, the inputs, the seed gradient), one line each.
// `about_inputs`, if given, is set to whether the error is about `user_inputs` (the CLI then
// names --inputs, not --weights).
std::string use_own_model(const OwnModel& own, const std::vector<Mat>* user_inputs,
                          const std::vector<std::string>& explicit_keys, bool sweeps,
                          Config& config, GivenModel& given, std::vector<std::string>& lines,
                          bool* about_inputs = nullptr);

// Training from a loaded model: config as use_own_model sets it; the model's input size must
// be the task's; its readout is used if it has the task's output size, else one is drawn as
// torch.nn.Linear's default from the seed's model stream.
std::string own_model_for_training(const OwnModel& own,
                                   const std::vector<std::string>& explicit_keys, Config& config,
                                   Model& model, std::vector<std::string>& lines);

// A model as a safetensors file: `<prefix>rnn.weight_ih_l0` ... `bias_hh_l0` and, if it has
// one, `<prefix>readout.weight` / `.bias`, in float32 or float64 (`precision`), its cell in
// the metadata ("cell:<prefix>rnn."), plus `metadata`. The layout of
//   class Model(nn.Module): self.rnn = nn.LSTM(I, H); self.readout = nn.Linear(H, O)
// so torch's load_state_dict takes it, and load_model reads it back to the same numbers.
struct NamedModel {
  std::string prefix;  // "" for one model, e.g. "lstm." for several in one file
  Model model;
};
std::string models_to_safetensors(const std::vector<NamedModel>& models, Precision precision,
                                  const std::vector<std::pair<std::string, std::string>>& metadata);
std::string model_to_safetensors(const Model& model, Precision precision);

}  // namespace gs
