#include "io/own_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "io/lru_tensors.h"
#include "io/own_model_read.h"

namespace gs {

namespace {

using nlohmann::json;

bool looks_like_safetensors(const unsigned char* bytes, std::size_t size) {
  if (size < 9 || bytes[8] != '{') return false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  return n <= size - 8;
}

bool starts_with_brace(const unsigned char* bytes, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    if (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t') continue;
    return bytes[i] == '{';
  }
  return false;
}

bool is_explicit(const std::vector<std::string>& keys, const char* key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// The keys a loaded model fixes, in `config`: cell, hidden, precision; "" or the error.
std::string adopt_model(const OwnModel& own, const std::vector<std::string>& explicit_keys,
                        Config& config, Model& model, std::vector<std::string>& lines) {
  const std::vector<std::string> drawing = keys_with_own_model(WithOwnModel::DrawsWeights);
  for (const std::string& key : drawing)
    if (is_explicit(explicit_keys, key.c_str())) {
      std::string list;  // "init, scale, radius, forget_bias, chrono, r_min, r_max and max_phase"
      for (size_t i = 0; i < drawing.size(); ++i)
        list += (i == 0 ? "" : i + 1 == drawing.size() ? " and " : ", ") + drawing[i];
      return key + " is set, but the weights come from the file (" + list +
             " shape drawn weights only)";
    }
  model = own.model;
  const CellKind cell = own.model.cell;
  const bool rnn = cell_info(cell).family == CellFamily::Rnn;
  if (is_explicit(explicit_keys, "cell")) {
    const std::vector<CellKind>& given = config.cells;
    const CellKind asked = given[0];
    const std::string why =
        rnn ? (own.cell_recorded ? std::string("the file says its RNN is ") + cell_name(cell)
                                 : std::string("its layer is an RNN (weight_hh has H rows)"))
        : has_complex_state(cell)
            ? std::string("its layer is an LRU (its weights are named nu_log, B_re, ...)")
        : cell_info(cell).input_linear
            ? std::string("its layer is ") + cell_info(cell).a_label + " (its weights are named " +
                  cell_info(cell).input_linear + ")"
            : std::string("its layer is ") + cell_info(cell).a_label + " (weight_hh has " +
                  std::to_string(gate_count(cell)) + "H rows)";
    const bool fits = given.size() == 1 &&
                      (asked == cell || (rnn && !own.cell_recorded &&
                                         cell_info(asked).family == CellFamily::Rnn));
    if (!fits) return "cell=" + cells_text(given) + " contradicts the file: " + why;
    model.cell = asked;
  }
  config.cells = {model.cell};
  // the hidden key counts the LRU's complex units, the model's hidden_size their 2 N reals
  const int hidden = has_complex_state(cell) ? own.model.hidden_size / 2 : own.model.hidden_size;
  if (is_explicit(explicit_keys, "hidden") && config.hidden != hidden)
    return "hidden=" + std::to_string(config.hidden) +
           " contradicts the file: its layer has hidden size " + std::to_string(hidden);
  config.hidden = hidden;
  const bool precision_given = is_explicit(explicit_keys, "precision");
  if (!precision_given) config.precision = own.precision;
  lines.push_back(
      "model: " + own.description + "; cell=" + cell_name(model.cell) +
      (rnn && !own.cell_recorded && !is_explicit(explicit_keys, "cell")
           ? " (the file does not say the RNN's nonlinearity: tanh, as torch's default; cell= "
             "says another)"
           : "") +
      ", computed in " + precision_name(config.precision) +
      (precision_given && config.precision != own.precision
           ? (config.precision == Precision::F32 ? " (the float64 weights rounded to float32)"
                                                 : " (the float32 weights widened exactly)")
           : ""));
  return "";
}

std::string length_contradiction(const std::vector<std::string>& explicit_keys,
                                 const Config& config, size_t steps, const std::string& whose) {
  if (is_explicit(explicit_keys, "length") && static_cast<size_t>(config.length) != steps)
    return "length=" + std::to_string(config.length) + " contradicts the inputs: " + whose +
           " has " + std::to_string(steps) + " steps";
  return "";
}

}  // namespace

std::string load_model(const unsigned char* bytes, std::size_t size, const LoadOptions& options,
                       OwnModel& out) {
  OwnModel model;
  std::string error;
  if (size > kMaxWeightsFileBytes || looks_like_safetensors(bytes, size) ||
      !starts_with_brace(bytes, size)) {
    Safetensors file;
    error = parse_safetensors(bytes, size, file);
    if (error.empty()) error = load_safetensors_model(file, options, model);
  } else {
    error = load_export(bytes, size, options, model);
  }
  if (error.empty()) out = std::move(model);
  return error;
}

std::vector<LayerChoice> layer_choices(const unsigned char* bytes, std::size_t size) {
  std::vector<LayerChoice> choices;
  Safetensors file;
  if (!looks_like_safetensors(bytes, size) || !parse_safetensors(bytes, size, file).empty())
    return choices;
  for (const LayerNames& names : find_layers(file)) {
    const std::string under = names.prefix.empty() ? "" : " of " + names.prefix;
    LayerChoice choice;
    choice.options.prefix = names.prefix;
    choice.options.prefix_given = true;
    if (names.layers.empty()) {  // a cell module: one layer, no number
      choice.label = "the cell" + under;
      choices.push_back(choice);
    }
    for (int layer : names.layers) {
      choice.options.layer = layer;
      choice.options.layer_given = true;
      choice.label = "layer " + std::to_string(layer) + under;
      choices.push_back(choice);
    }
  }
  return choices;
}

std::string load_inputs(const unsigned char* bytes, std::size_t size, std::vector<Mat>& inputs,
                        std::string& description, int hidden_size) {
  Safetensors file;
  if (std::string e = parse_safetensors(bytes, size, file); !e.empty()) return e;
  const TensorEntry* t = file.find("inputs");
  if (!t && file.tensors.size() == 1) t = &file.tensors[0];
  if (!t)
    return "no inputs: the file has " + std::to_string(file.tensors.size()) +
           " tensors and none is named 'inputs'";
  if (t->shape.size() != 2 || t->shape[0] < 1 || t->shape[1] < 1)
    return "tensor " + in_quotes(t->name) + " has shape " + shape_text(t->shape) +
           ": expected [T, I], one row of inputs per step";
  const int64_t T = t->shape[0], I = t->shape[1];
  if (I > kMaxOwnInputSize)
    return "tensor " + in_quotes(t->name) + " has shape " + shape_text(t->shape) + ": " +
           std::to_string(I) + " inputs per step, over gradscope's limit of " +
           std::to_string(kMaxOwnInputSize);
  const int64_t H = std::max(hidden_size, 1);
  if (T > kMaxOwnSequenceUnits / (H + I + 10))
    return "tensor " + in_quotes(t->name) + " has shape " + shape_text(t->shape) + ": " +
           std::to_string(T) + " steps, over gradscope's limit of " +
           std::to_string(kMaxOwnSequenceUnits / (H + I + 10)) +
           " for this model (steps x (hidden " + std::to_string(H) + " + input size " +
           std::to_string(I) + " + 10) must be <= " + std::to_string(kMaxOwnSequenceUnits) +
           ": BPTT keeps every step)";
  Mat m;
  bool f64 = false;
  if (std::string e = read_matrix(file, *t, 2, m, f64, "inputs"); !e.empty()) return e;
  std::vector<Mat> steps;
  for (Eigen::Index r = 0; r < m.rows(); ++r) steps.push_back(m.row(r).transpose());
  inputs = std::move(steps);
  description = "tensor " + in_quotes(t->name) + " " + shape_text(t->shape) + " " + t->dtype;
  return "";
}

namespace {

// An export's config: its keys, except those the model and its sequence fix (and seeds, which
// a probe does not use and some commands refuse), unless given explicitly.
std::string apply_export_config(const OwnModel& own, const std::vector<std::string>& explicit_keys,
                                Config& next) {
  const auto model_says = [](const std::string& key) {  // the file's keys: cell, hidden, precision
    const ConfigKey* row = find_config_key(key);
    return row && (row->with_own_model == WithOwnModel::FromFile ||
                   row->with_own_model == WithOwnModel::FileDefault);
  };
  for (const auto& [key, value] : own.export_config)
    if (!is_explicit(explicit_keys, key.c_str()) && !model_says(key) && key != "length" &&
        key != "seeds")
      if (std::string e = set_config_value(next, key, value); !e.empty())
        return "the export's config: " + e;
  return "";
}

// The inputs of a decay --export record: its own sequence, h0 (c0) and seed gradient.
std::string inputs_from_export(const OwnModel& own, const std::vector<Mat>* user_inputs,
                               const std::vector<std::string>& explicit_keys, bool sweeps,
                               Config& next, GivenModel& out, std::string& inputs_line,
                               std::string& seed_line, bool& inputs_error) {
  if (user_inputs) {
    inputs_error = true;
    return "inputs from a file and from the export: the export has its own";
  }
  if (sweeps)
    return "the export's seed gradient is of a loss at its own last step: a command that "
           "varies the length needs a safetensors model (decay, spectrum, saturation and "
           "lagsplit take the export)";
  // Its inputs are the task's whole sequence: copy's has length + 20 steps.
  const long long T = static_cast<long long>(own.inputs.size());
  const long long extra = task_shape(next.task, 1).steps - 1;
  const std::string takes = extra ? " (task=" + std::string(task_name(next.task)) +
                                        " takes length + " + std::to_string(extra) + " steps)"
                                  : "";
  if (is_explicit(explicit_keys, "length")) {
    if (task_shape(next.task, next.length).steps != T)
      return "length=" + std::to_string(next.length) + " contradicts the inputs: the export has " +
             std::to_string(T) + " steps" + takes;
  } else if (T - extra < 1 || T - extra > INT32_MAX) {
    return "the export has " + std::to_string(T) +
           " steps, too few for task=" + task_name(next.task) + takes;
  } else {
    next.length = static_cast<int>(T - extra);
  }
  out.inputs_from = GivenModel::Inputs::Given;
  out.task_steps = true;
  out.inputs = own.inputs;
  out.h0 = own.h0;
  out.c0 = own.c0;
  out.seed_grad_h = own.seed_grad_h;
  inputs_line = "inputs: the export's, " + std::to_string(T) + " steps" +
                (extra ? " (length " + std::to_string(next.length) + ")" : std::string()) +
                ", with its h0" + (has_cell_state(own.model.cell) ? " and c0" : "");
  seed_line = "seed gradient: the export's seed_grad_h (dL/dh_T of its loss)";
  return "";
}

// The inputs of an --inputs file (or a dropped one): checked against the model and the lengths.
std::string inputs_from_file(const std::vector<Mat>& inputs,
                             const std::vector<std::string>& explicit_keys, bool sweeps, int I,
                             Config& next, GivenModel& out, std::string& inputs_line,
                             bool& inputs_error) {
  inputs_error = true;  // until the inputs are checked
  const int features = inputs.empty() ? 0 : static_cast<int>(inputs[0].rows());
  if (features != I)
    return "the inputs have " + std::to_string(features) + " values per step, the model takes " +
           std::to_string(I);
  const size_t T = inputs.size();
  if (sweeps) {
    for (int length : next.lengths)
      if (static_cast<size_t>(length) > T)
        return "lengths=" + lengths_text(next.lengths) + " do not fit the inputs: they have " +
               std::to_string(T) + " steps, and each length takes the first steps of them";
  } else if (std::string e = length_contradiction(explicit_keys, next, T, "the inputs file");
             !e.empty()) {
    return e;
  }
  out.inputs_from = GivenModel::Inputs::Given;
  out.inputs = inputs;
  if (!sweeps) next.length = static_cast<int>(T);
  inputs_line = "inputs: the inputs file's, " + std::to_string(T) + " steps" +
                (sweeps ? " (each length takes the first steps)" : "") + "; h0 = c0 = 0";
  return "";
}

// Without an export's seed gradient: the task loss through the readout when it fits the task,
// else the readout's outputs summed, else h_T's units summed. The probe then needs no readout.
void choose_seed_gradient(const OwnModel& own, const Config& next, GivenModel& out,
                          std::string& seed_line) {
  const int H = own.model.hidden_size;
  const TaskShape task = task_shape(next.task, next.length);
  const bool readout = own.model.output_size > 0;
  const bool task_loss = out.inputs_from == GivenModel::Inputs::Task && readout &&
                         own.model.output_size == task.output_size;
  if (task_loss) {
    // the quoted name not last: the page's Why ends each line with a full stop
    seed_line = "seed gradient: through the readout " + in_quotes(own.readout_prefix) +
                ", the task loss (" + task_name(next.task) + ") at the last step";
  } else if (readout) {
    const int O = own.model.output_size;
    out.seed_grad_h = own.model.params.weight_out.transpose() *
                      Mat::Constant(O, 1, 1.0 / std::sqrt(static_cast<double>(O)));
    seed_line = "seed gradient: dL/dh_T = W^T (1, ..., 1) / sqrt(" + std::to_string(O) +
                ") through the readout " + in_quotes(own.readout_prefix) +
                ": the gradient of y_T's outputs summed, over sqrt(O) (no task loss)";
  } else {
    out.seed_grad_h = Mat::Constant(H, 1, 1.0 / std::sqrt(static_cast<double>(H)));
    seed_line = "seed gradient: dL/dh_T = (1, ..., 1) / sqrt(" + std::to_string(H) +
                "), no readout: the curve is the gradient of h_T's units summed (over "
                "sqrt(H)), i.e. how far back h_T depends on earlier states, not a task loss";
  }
  if (!task_loss) {  // the readout made the seed, or there is none: the probe needs none
    out.model.output_size = 0;
    out.model.params.weight_out = Mat(0, H);
    out.model.params.bias_out = Vec(0);
    if (out.model.params.skip.size()) out.model.params.skip = Mat(0, own.model.input_size);
  }
}

// config.cpp's one-sequence memory limit, counting the inputs too.
std::string memory_error(const GivenModel& out, const Config& next, bool sweeps, int H, int I) {
  const std::vector<int> lengths = sweeps ? next.lengths : std::vector<int>{next.length};
  for (int length : lengths) {
    const long long steps = probe_length(&out, next.task, length);
    if (steps * (H + I + 10) > kMaxOwnSequenceUnits)
      return "length " + std::to_string(length) + " with the model's hidden size " +
             std::to_string(H) + " and input size " + std::to_string(I) +
             " is too large: steps x (hidden + input size + 10) must be <= " +
             std::to_string(kMaxOwnSequenceUnits) + " (BPTT keeps every step)";
  }
  return "";
}

std::string use_own_model_checked(const OwnModel& own, const std::vector<Mat>* user_inputs,
                                  const std::vector<std::string>& explicit_keys, bool sweeps,
                                  Config& config, GivenModel& given,
                                  std::vector<std::string>& lines, bool& inputs_error) {
  Config next = config;
  GivenModel out;
  std::vector<std::string> said;
  if (std::string e = apply_export_config(own, explicit_keys, next); !e.empty()) return e;
  if (std::string e = adopt_model(own, explicit_keys, next, out.model, said); !e.empty()) return e;
  const int H = own.model.hidden_size, I = own.model.input_size;
  const TaskShape task = task_shape(next.task, next.length);
  std::string inputs_line, seed_line;

  // The inputs.
  if (own.from_export) {
    if (std::string e = inputs_from_export(own, user_inputs, explicit_keys, sweeps, next, out,
                                           inputs_line, seed_line, inputs_error);
        !e.empty())
      return e;
  } else if (user_inputs) {
    if (std::string e = inputs_from_file(*user_inputs, explicit_keys, sweeps, I, next, out,
                                         inputs_line, inputs_error);
        !e.empty())
      return e;
  } else if (I == task.input_size) {
    out.inputs_from = GivenModel::Inputs::Task;
    inputs_line = std::string("inputs: task=") + task_name(next.task) +
                  "'s sequence of the seed (the model takes " + std::to_string(I) +
                  " inputs, as the task); h0 = c0 = 0";
  } else {
    out.inputs_from = GivenModel::Inputs::Normal;
    inputs_line = "inputs: standard normal, drawn from the seed (the model takes " +
                  std::to_string(I) + " inputs, task=" + task_name(next.task) + " gives " +
                  std::to_string(task.input_size) + "; an inputs file gives your own); h0 = c0 = 0";
  }
  if (out.inputs_from == GivenModel::Inputs::Given &&
      (next.sequences != 1 || (sweeps && next.seeds != 1)))
    return (next.sequences != 1 ? "sequences=" + std::to_string(next.sequences)
                                : "seeds=" + std::to_string(next.seeds)) +
           " is invalid with inputs from a file: there is one sequence (use 1)";
  inputs_error = false;

  if (!own.from_export) choose_seed_gradient(own, next, out, seed_line);
  if (std::string e = memory_error(out, next, sweeps, H, I); !e.empty()) return e;
  if (std::string e = validate_config(next); !e.empty()) return e;
  config = next;
  given = std::move(out);
  said.push_back(inputs_line);
  said.push_back(seed_line);
  lines.insert(lines.end(), said.begin(), said.end());
  return "";
}

}  // namespace

std::string use_own_model(const OwnModel& own, const std::vector<Mat>* user_inputs,
                          const std::vector<std::string>& explicit_keys, bool sweeps,
                          Config& config, GivenModel& given, std::vector<std::string>& lines,
                          bool* about_inputs) {
  bool inputs_error = false;
  std::string error = use_own_model_checked(own, user_inputs, explicit_keys, sweeps, config, given,
                                            lines, inputs_error);
  if (about_inputs) *about_inputs = !error.empty() && inputs_error;
  return error;
}

std::string own_model_for_training(const OwnModel& own,
                                   const std::vector<std::string>& explicit_keys, Config& config,
                                   Model& model, std::vector<std::string>& lines) {
  if (own.from_export)
    return "train starts from a safetensors model (decay --save or train --save write one), "
           "not from an export";
  Config next = config;
  Model out;
  std::vector<std::string> said;
  if (std::string e = adopt_model(own, explicit_keys, next, out, said); !e.empty()) return e;
  const TaskShape task = task_shape(next.task, next.length);
  if (out.input_size != task.input_size)
    return "the model takes " + std::to_string(out.input_size) +
           " inputs, task=" + task_name(next.task) + " gives " + std::to_string(task.input_size) +
           ": train needs the task's input size";
  if (out.output_size == task.output_size) {
    said.push_back("readout: the file's " + in_quotes(own.readout_prefix));
  } else {
    // torch.nn.Linear's default, U(-1/sqrt(H), 1/sqrt(H)), from the seed's model stream
    const int H = out.hidden_size, O = task.output_size;
    const double bound = 1.0 / std::sqrt(static_cast<double>(H));
    Rng rng(model_seed(next.seed));
    out.params.weight_out.resize(O, H);
    out.params.bias_out.resize(has_complex_state(out.cell) ? 0 : O);  // the LRU: C and D, no bias
    for (int r = 0; r < O; ++r)
      for (int c = 0; c < H; ++c) out.params.weight_out(r, c) = rng.uniform(-bound, bound);
    for (int r = 0; r < out.params.bias_out.size(); ++r) out.params.bias_out(r) = rng.uniform(-bound, bound);
    if (has_complex_state(out.cell)) out.params.skip = Mat::Zero(O, out.input_size);
    out.output_size = O;
    said.push_back(std::string(has_complex_state(out.cell)
                                   ? "readout: C drawn as torch.nn.Linear's weight, D = 0, "
                                   : "readout: drawn as torch.nn.Linear's default ") +
                   "from the seed (" +
                   std::to_string(O) + " outputs for task=" + task_name(next.task) + ")" +
                   (own.model.output_size
                        ? "; the file's has " + std::to_string(own.model.output_size)
                        : std::string("")));
  }
  if (std::string e = validate_config(next); !e.empty()) return e;
  if (std::string e = validate_for_training(next); !e.empty()) return e;
  config = next;
  model = std::move(out);
  lines.insert(lines.end(), said.begin(), said.end());
  return "";
}

std::string models_to_safetensors(
    const std::vector<NamedModel>& models, Precision precision,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::vector<TensorOut> tensors;
  std::vector<std::pair<std::string, std::string>> meta = {{"format", "pt"}};
  for (const NamedModel& m : models) {
    const std::string rnn = m.prefix + "rnn.";
    const Params& p = m.model.params;
    if (has_complex_state(m.model.cell)) {  // the LRU: its own names, C and D its readout
      for (const LruTensor<double>& t : lru_file_tensors(p))
        if (t.value.size() > 0)
          tensors.push_back(t.is_vector ? tensor_out(rnn + t.name, Vec(t.value.col(0)))
                                        : tensor_out(rnn + t.name, t.value));
      meta.emplace_back("cell:" + rnn, cell_name(m.model.cell));
      continue;
    }
    const auto put = [&](const char* name, const auto& tensor) {
      const std::string file_name = file_tensor_name(m.model.cell, name);  // "": not this cell's
      if (!file_name.empty()) tensors.push_back(tensor_out(rnn + file_name, tensor));
    };
    put("weight_ih_l0", p.weight_ih);
    put("weight_hh_l0", p.weight_hh);
    put("bias_ih_l0", p.bias_ih);
    put("bias_hh_l0", p.bias_hh);
    if (m.model.output_size > 0) {
      tensors.push_back(tensor_out(m.prefix + "readout.weight", p.weight_out));
      tensors.push_back(tensor_out(m.prefix + "readout.bias", p.bias_out));
    }
    meta.emplace_back("cell:" + rnn, cell_name(m.model.cell));
    if (m.model.output_size > 0) meta.emplace_back("readout:" + rnn, m.prefix + "readout.");
  }
  meta.insert(meta.end(), metadata.begin(), metadata.end());
  return write_safetensors(tensors, precision == Precision::F64 ? "F64" : "F32", meta);
}

std::string model_to_safetensors(const Model& model, Precision precision) {
  return models_to_safetensors({{"", model}}, precision, {});
}

}  // namespace gs
