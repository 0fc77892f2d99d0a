#include "own_model_cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "io/safetensors.h"

namespace gs {

namespace {

// What was loaded, as '#' lines (one CLI run loads at most one model).
std::string loaded_lines;

// A whole file into `bytes`, refusing one over the size limit before reading it.
std::string read_file(const std::string& path, std::string& bytes) {
  errno = 0;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return std::string("cannot open the file (") + std::strerror(errno) + ")";
  struct stat info {};
  if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
    const bool directory = S_ISDIR(info.st_mode);
    std::fclose(file);
    return directory ? "it is a directory, not a file"
                     : "it is not a regular file (a device, a pipe or a socket): gradscope reads "
                       "files";
  }
  std::string error;
  long size = -1;
  if (std::fseek(file, 0, SEEK_END) == 0) size = std::ftell(file);
  if (size < 0 || std::fseek(file, 0, SEEK_SET) != 0) {
    error = "cannot read the file (not a regular file?)";
  } else if (error = file_size_error(static_cast<std::size_t>(size)); error.empty()) {
    bytes.resize(static_cast<std::size_t>(size));
    if (size > 0 && std::fread(&bytes[0], 1, bytes.size(), file) != bytes.size())
      error = std::string("cannot read the file (") + std::strerror(errno ? errno : EIO) + ")";
  }
  std::fclose(file);
  return error;
}

const unsigned char* data_of(const std::string& bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

}  // namespace

bool is_own_model_flag(const std::string& flag) {
  for (const char* name : {"weights", "inputs", "readout", "prefix", "layer", "save"})
    if (flag == name) return true;
  return false;
}

std::string parse_own_model_flag(const std::string& flag, const std::string& value,
                                 OwnModelFlags& flags) {
  if (value.empty()) return "--" + flag + " needs a value";
  if (flag == "weights") flags.weights = value;
  if (flag == "inputs") flags.inputs = value;
  if (flag == "save") flags.save = value;
  if (flag == "prefix") {
    flags.options.prefix = value;
    flags.options.prefix_given = true;
  }
  if (flag == "readout") {
    flags.options.readout = value;
    flags.options.readout_given = true;
  }
  if (flag == "layer") {
    long long layer = 0;
    if (!parse_decimal_integer(value, layer) || layer < 0 || layer > 999)
      return "--layer " + excerpt(value) + " is invalid: expected an integer in [0, 999]";
    flags.options.layer = static_cast<int>(layer);
    flags.options.layer_given = true;
  }
  return "";
}

std::string own_model_help_text(bool inputs, bool save, bool train) {
  std::string text =
      train ? "  --weights FILE       start training from your own model (decay --help says which\n"
              "                       files): its input size must be the task's; its readout is\n"
              "                       used if it has the task's outputs, else one is drawn\n"
            : "  --weights FILE       your own model instead of a drawn one: a safetensors file\n"
              "                       with a torch.nn.RNN / LSTM / GRU layer in PyTorch's names\n"
              "                       (<prefix>weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0;\n"
              "                       no biases: zeros), a minGRU / minLSTM of minGRU-pytorch\n"
              "                       (<prefix>to_hidden_and_gate.weight, to_hidden_and_f_i_gate)\n"
              "                       or an LRU (<prefix>nu_log, theta_log, gamma_log, B_re, B_im,\n"
              "                       and its readout C_re, C_im, D),\n"
              "                       F16, BF16, F32 or F64, at most " +
                  weights_file_limit_text() +
                  " (scripts/export_weights.py\n"
                  "                       writes one from any torch module); or a decay --export\n"
                  "                       record, which reloads to exactly its numbers. cell and\n"
                  "                       hidden come from the shapes (an RNN's nonlinearity from\n"
                  "                       the file's metadata, else --cell, else tanh), precision\n"
                  "                       from the dtype (F64: f64); a key you give that disagrees\n"
                  "                       is an error; init, scale, radius, forget_bias, chrono\n"
                  "                       and the LRU's r_min, r_max and max_phase are refused.\n"
                  "                       '#' lines say what was read and used.\n";
  text +=
      "  --prefix P           the layer's prefix (e.g. encoder.lstm.), needed when the file\n"
      "                       holds several recurrent layers\n"
      "  --layer K            layer K of a multi-layer RNN / LSTM / GRU (default 0, and a note\n"
      "                       on stderr when there are more); probed alone: its inputs are not\n"
      "                       layer K-1's outputs\n"
      "  --readout P          a Linear reading the layer: P.weight (O x H), P.bias (default: the\n"
      "                       one the file's metadata names, as --save writes it; none: none;\n"
      "                       an LRU's readout is its own C and D: only none)\n";
  if (inputs)
    text +=
        "  --inputs FILE        your own sequence: a safetensors tensor [T, I] (named 'inputs',\n"
        "                       or the only one); it fixes the length (sweep, trainability:\n"
        "                       each length takes its first steps). Without it: the task's\n"
        "                       inputs if the model takes the task's input size, else standard\n"
        "                       normal inputs from the seed.\n"
        "                       What the curve measures with --weights: with the task's inputs\n"
        "                       and a readout of the task's outputs, the task loss at the last\n"
        "                       step, as for drawn models; with another readout W,\n"
        "                       dL/dh_T = W^T (1, ..., 1) / sqrt(O); with none,\n"
        "                       dL/dh_T = (1, ..., 1) / sqrt(H): the gradient of the sum of\n"
        "                       h_T's units, i.e. how far back h_T depends on earlier states,\n"
        "                       not a task loss. h0 = c0 = 0 (an export: its own).\n";
  if (save)
    text += train ? "  --save FILE          write the trained models as safetensors (one cell: rnn.*\n"
                    "                       and readout.*; several: <cell>.rnn.*, <cell>.readout.*; an\n"
                    "                       LRU's C and D are under rnn.),\n"
                    "                       in the precision's dtype; --weights reads it back\n"
                  : "  --save FILE          write the probe's model as safetensors (rnn.*, readout.*;\n"
                    "                       an LRU's C and D are under rnn.),\n"
                    "                       in the precision's dtype; --weights reads it back to the\n"
                    "                       same numbers\n";
  return text;
}

std::string load_own_model(const std::string& command, OwnModelFlags& flags,
                           const std::vector<std::string>& explicit_keys, Config& config) {
  if (flags.weights.empty()) {
    if (!flags.inputs.empty()) return "--inputs needs --weights (your own model's sequence)";
    if (flags.options.prefix_given || flags.options.layer_given || flags.options.readout_given)
      return std::string("--") +
             (flags.options.prefix_given ? "prefix" : flags.options.layer_given ? "layer" : "readout") +
             " needs --weights (it picks what to read from the file)";
    return "";
  }
  const std::string weights_flag = "--weights " + path_text(flags.weights) + ": ";
  std::string bytes;
  if (std::string e = read_file(flags.weights, bytes); !e.empty()) return weights_flag + e;
  OwnModel own;
  if (std::string e = load_model(data_of(bytes), bytes.size(), flags.options, own); !e.empty())
    return weights_flag + e;
  std::vector<Mat> inputs;
  std::string inputs_what;
  if (!flags.inputs.empty()) {
    const std::string inputs_flag = "--inputs " + path_text(flags.inputs) + ": ";
    std::string input_bytes;
    if (std::string e = read_file(flags.inputs, input_bytes); !e.empty()) return inputs_flag + e;
    if (std::string e = load_inputs(data_of(input_bytes), input_bytes.size(), inputs, inputs_what,
                                    own.model.hidden_size);
        !e.empty())
      return inputs_flag + e;
  }
  std::vector<std::string> lines;
  if (command == "train" || command == "truncation") {  // from the model, as training starts
    if (std::string e = own_model_for_training(own, explicit_keys, config, flags.train_model, lines);
        !e.empty())
      return weights_flag + e;
  } else {
    auto given = std::make_shared<GivenModel>();
    const bool sweeps = command == "sweep" || command == "trainability";
    bool about_inputs = false;
    if (std::string e = use_own_model(own, flags.inputs.empty() ? nullptr : &inputs,
                                      explicit_keys, sweeps, config, *given, lines, &about_inputs);
        !e.empty())
      return (about_inputs ? "--inputs " + path_text(flags.inputs) + ": " : weights_flag) + e;
    flags.saved_model = own.model;
    flags.saved_model.cell = given->model.cell;  // an RNN's nonlinearity as given by cell=
    flags.given = given;
  }
  flags.loaded = true;
  loaded_lines = "# --weights " + path_text(flags.weights) + "\n";
  if (!flags.inputs.empty())
    loaded_lines += "# --inputs " + path_text(flags.inputs) + ": " + inputs_what + "\n";
  for (const std::string& line : lines) loaded_lines += "# " + line + "\n";
  if (!own.note.empty()) {
    loaded_lines += "# note: " + own.note + "\n";
    std::cerr << "gradscope: note: " << weights_flag << own.note << "\n";
  }
  return "";
}

std::string own_model_lines() { return loaded_lines; }

std::string open_save(OwnModelFlags& flags) {
  if (flags.save.empty()) return "";
  // Checked, not created: the file is written when the work is done, so that a failed run
  // leaves no empty file and an existing file as it was.
  const std::string cannot =
      "--save " + path_text(flags.save) + ": cannot open the file for writing (";
  struct stat info {};
  errno = 0;
  if (stat(flags.save.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return "--save " + path_text(flags.save) + ": it is a directory";
    if (access(flags.save.c_str(), W_OK) != 0) return cannot + std::strerror(errno) + ")";
  } else {
    std::string dir = std::filesystem::path(flags.save).parent_path().string();
    if (dir.empty()) dir = ".";
    errno = 0;
    if (access(dir.c_str(), W_OK | X_OK) != 0) return cannot + std::strerror(errno) + ")";
  }
  flags.save_ready = true;
  return "";
}

std::string write_save(OwnModelFlags& flags, const std::string& bytes) {
  if (!flags.save_ready) return "";
  flags.save_ready = false;
  errno = 0;
  std::FILE* file = std::fopen(flags.save.c_str(), "wb");
  if (!file)
    return "--save " + path_text(flags.save) + ": cannot open the file for writing (" +
           std::strerror(errno ? errno : EIO) + ")";
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fflush(file) == 0 && ok;
  const int write_errno = errno ? errno : EIO;
  ok = std::fclose(file) == 0 && ok;
  if (ok) return "";
  std::remove(flags.save.c_str());  // not a partial file
  return "--save " + path_text(flags.save) + ": cannot write the file (" +
         std::strerror(errno ? errno : write_errno) + ")";
}

}  // namespace gs
