// Your own model on the command line: --weights FILE (safetensors or a decay --export record)
// with --inputs, --readout, --prefix and --layer, for decay, sweep, spectrum, saturation,
// lagsplit, trainability, train and truncation; --save FILE.safetensors for decay and train. The files are
// read and checked (core/io/own_model.h) before anything is computed.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "io/own_model.h"

namespace gs {

struct OwnModelFlags {
  std::string weights, inputs, save;  // paths
  LoadOptions options;                // --prefix, --layer, --readout
  // After load_own_model:
  std::shared_ptr<const GivenModel> given;  // the probes' model (not for train)
  // The loaded model with its readout, as the probes use it (their copy drops a readout the
  // loss does not use): what decay --save writes.
  Model saved_model;
  Model train_model;                        // train's starting model
  bool loaded = false;
  bool save_ready = false;  // --save, checked by open_save
};

// Whether `flag` is one of these, and its value into `flags`; "" or the error.
bool is_own_model_flag(const std::string& flag);
std::string parse_own_model_flag(const std::string& flag, const std::string& value,
                                 OwnModelFlags& flags);

// The --help lines of these flags, for a command that takes --weights (and --inputs, --save);
// `train`: train's wording.
std::string own_model_help_text(bool inputs, bool save, bool train);

// Reads --weights (and --inputs), checks them against `config` and the keys the user gave
// (`explicit_keys`), and updates `config` (use_own_model's rules). "" or the error, which names
// the flag and the file. A note for people (e.g. "layer 0 of 2 is read") goes to stderr.
std::string load_own_model(const std::string& command, OwnModelFlags& flags,
                           const std::vector<std::string>& explicit_keys, Config& config);

// The '#' lines saying what was loaded, printed after the provenance line (nothing when no
// model was loaded).
std::string own_model_lines();

// --save: checked before anything is computed (a path that cannot be written fails at once),
// but not created: write_save creates and writes it when the work is done, so a run that fails
// leaves no file (and an existing one as it was). "" or the error.
std::string open_save(OwnModelFlags& flags);
std::string write_save(OwnModelFlags& flags, const std::string& bytes);

}  // namespace gs
