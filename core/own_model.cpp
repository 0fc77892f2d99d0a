#include "own_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "safetensors.h"

namespace gs {

namespace {

using nlohmann::json;

std::string in_quotes(const std::string& name) { return "'" + excerpt(name) + "'"; }

std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

const char* kind_name(int gates) {
  return gates == 4 ? "an LSTM" : gates == 3 ? "a GRU" : "an RNN";
}

// --- safetensors ---------------------------------------------------------------------------

// A recurrent layer's names in a file: `<prefix>weight_ih_l<k>[_reverse]` or, for a cell module,
// `<prefix>weight_ih`.
struct LayerNames {
  std::string prefix;
  std::vector<int> layers;  // the k present, sorted; empty for a cell module
  bool cell_module = false;
  bool reverse = false;  // bidirectional: weight_ih_l<k>_reverse present
};

std::vector<LayerNames> find_layers(const Safetensors& file) {
  std::vector<LayerNames> found;
  const std::string key = "weight_ih";
  for (const TensorEntry& t : file.tensors) {
    const size_t at = t.name.rfind(key);
    if (at == std::string::npos) continue;
    const std::string prefix = t.name.substr(0, at), rest = t.name.substr(at + key.size());
    int layer = -1;
    bool reverse = false;
    if (!rest.empty()) {
      if (rest.size() < 3 || rest.compare(0, 2, "_l") != 0) continue;
      // k in canonical decimal, as torch writes it: "_l0", "_l12", never "_l00" or "_l012"
      // (the loader looks the layer's tensors up by the canonical name).
      size_t i = 2;
      long k = 0;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && i < 8)
        k = k * 10 + (rest[i++] - '0');
      if (i == 2 || (rest[2] == '0' && i > 3) ||
          (i < rest.size() && rest[i] >= '0' && rest[i] <= '9'))
        continue;
      const std::string tail = rest.substr(i);
      if (tail == "_reverse")
        reverse = true;
      else if (!tail.empty())
        continue;
      layer = static_cast<int>(k);
    }
    auto it = std::find_if(found.begin(), found.end(),
                           [&](const LayerNames& l) { return l.prefix == prefix; });
    if (it == found.end()) {
      found.push_back({prefix, {}, false, false});
      it = found.end() - 1;
    }
    if (layer < 0)
      it->cell_module = true;
    else if (reverse)
      it->reverse = true;
    else if (std::find(it->layers.begin(), it->layers.end(), layer) == it->layers.end())
      it->layers.push_back(layer);
  }
  for (LayerNames& l : found) std::sort(l.layers.begin(), l.layers.end());
  std::sort(found.begin(), found.end(),
            [](const LayerNames& a, const LayerNames& b) { return a.prefix < b.prefix; });
  return found;
}

std::string prefixes_text(const std::vector<LayerNames>& layers) {
  std::string out;
  for (size_t i = 0; i < layers.size(); ++i)
    out += (i ? (i + 1 == layers.size() ? " and " : ", ") : "") + in_quotes(layers[i].prefix);
  return out;
}

// "a, b, c and 7 more": the names a file holds, for a message.
std::string some_names(const Safetensors& file) {
  std::string out;
  const size_t shown = std::min<size_t>(file.tensors.size(), 6);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + in_quotes(file.tensors[i].name);
  if (file.tensors.size() > shown)
    out += " and " + std::to_string(file.tensors.size() - shown) + " more";
  return file.tensors.empty() ? "no tensor" : out;
}

// "" if tensor `t` is F32 or F64 with `wanted_dims` dimensions (1 or 2), else the error:
// checked before any value is read.
std::string form_error(const TensorEntry& t, int wanted_dims) {
  if (std::string error = dtype_error(t); !error.empty()) return error;
  if (static_cast<int>(t.shape.size()) != wanted_dims)
    return "tensor " + in_quotes(t.name) + " has shape " + shape_text(t.shape) + ": expected " +
           (wanted_dims == 1 ? "a vector" : "a matrix");
  return "";
}

// Reads tensor `t` (F32 or F64, finite) as a matrix of its shape (a vector: one column).
// `wanted_dims` is 1 or 2. Sets `f64` if it is F64.
std::string read_matrix(const Safetensors& file, const TensorEntry& t, int wanted_dims, Mat& out,
                        bool& f64, const char* what = "weights") {
  if (std::string error = form_error(t, wanted_dims); !error.empty()) return error;
  std::vector<double> values;
  if (const std::string error = tensor_values(file, t, values); !error.empty()) return error;
  if (const std::string bad = first_non_finite(t, values); !bad.empty())
    return "tensor " + in_quotes(t.name) + " holds " + bad + ": gradscope reads finite " + what +
           " only";
  const Eigen::Index rows = t.shape[0], cols = wanted_dims == 2 ? t.shape[1] : 1;
  out.resize(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) out(r, c) = values[r * cols + c];
  f64 = f64 || t.dtype == "F64";
  return "";
}

std::string check_sizes(const std::string& hh_name, Eigen::Index rows, Eigen::Index H,
                        Eigen::Index I, int& gates) {
  if (H < 1) return "tensor " + in_quotes(hh_name) + " has no columns: the hidden size is 0";
  Config check;
  if (const std::string error = set_config_value(check, "hidden", std::to_string(H));
      !error.empty())
    return "tensor " + in_quotes(hh_name) + " has shape " + shape_text(rows, H) +
           ": its hidden size is too large (" + error + ")";
  gates = rows % H == 0 ? static_cast<int>(rows / H) : 0;
  if (gates != 1 && gates != 3 && gates != 4)
    return "tensor " + in_quotes(hh_name) + " has shape " + shape_text(rows, H) +
           ", which fits no cell: for H = " + std::to_string(H) +
           " columns its rows must be H (RNN), 3H (GRU) or 4H (LSTM)";
  if (I < 1 || I > kMaxOwnInputSize)
    return "the layer's input size " + std::to_string(I) + " is outside gradscope's range 1.." +
           std::to_string(kMaxOwnInputSize);
  return "";
}

// What load_safetensors_model learns step by step about the layer it reads.
struct LayerRead {
  const LayerNames* names = nullptr;
  std::string suffix, note, which;  // "_l0"; what the reader should know; " (layer 0 of 2)"
  bool last_layer = true;           // a readout reads the last layer
  std::string ih;                   // the input weights' name
  Eigen::Index GH = 0, H = 0, I = 0;
  int gates = 0;
  std::string kind;  // "LSTM with H = 16 (as 'rnn.weight_hh_l0' [64, 16])"
  bool biases = false, f64 = false;
  Params params;
  CellKind cell = CellKind::RnnTanh;
};

// The recurrent layer the file holds, or the one the prefix names.
std::string choose_layer(const Safetensors& file, const LoadOptions& options,
                         std::vector<LayerNames>& layers, LayerRead& read) {
  layers = find_layers(file);
  if (layers.empty()) {
    std::string odd;  // a name like a layer's that find_layers refused, e.g. "weight_ih_l00"
    for (const TensorEntry& t : file.tensors)
      if (odd.empty() && t.name.find("weight_ih_l") != std::string::npos)
        odd = "; " + in_quotes(t.name) +
              " is no layer's name: torch writes the layer number in "
              "plain decimal (weight_ih_l0, weight_ih_l12)";
    return "no recurrent layer in the file: no tensor is named <prefix>weight_ih_l0 (torch.nn.RNN, "
           "LSTM, GRU) or <prefix>weight_ih (RNNCell, LSTMCell, GRUCell); it has " +
           some_names(file) + odd;
  }
  if (options.prefix_given) {
    for (const LayerNames& l : layers)
      if (l.prefix == options.prefix || l.prefix == options.prefix + ".") read.names = &l;
    if (!read.names)
      return "no recurrent layer under the prefix " + in_quotes(options.prefix) +
             ": the file has " + (layers.size() == 1 ? "one, under " : "them under ") +
             prefixes_text(layers);
  } else if (layers.size() > 1) {
    return "the file holds " + std::to_string(layers.size()) + " recurrent layers, under " +
           prefixes_text(layers) + ": choose one with its prefix";
  } else {
    read.names = &layers[0];
  }
  return "";
}

// Of a torch.nn module's layers, the one --layer names (0 by default); a cell module has one.
std::string choose_layer_number(const LoadOptions& options, LayerRead& read) {
  const LayerNames& names = *read.names;
  if (names.cell_module && names.layers.empty()) {
    if (options.layer_given && options.layer != 0)
      return "layer " + std::to_string(options.layer) +
             " is not in the file: " + in_quotes(names.prefix + "weight_ih") +
             " is a single cell (RNNCell, LSTMCell, "
             "GRUCell)";
    return "";
  }
  const int layer = options.layer_given ? options.layer : 0;
  if (std::find(names.layers.begin(), names.layers.end(), layer) == names.layers.end()) {
    std::string present;
    for (size_t i = 0; i < names.layers.size(); ++i)
      present += (i ? ", " : "") + std::to_string(names.layers[i]);
    return "layer " + std::to_string(layer) + " is not in the file: under " +
           in_quotes(names.prefix) + " it has layer" + (names.layers.size() > 1 ? "s " : " ") +
           present;
  }
  read.suffix = "_l" + std::to_string(layer);
  read.last_layer = layer == names.layers.back();
  read.which = " (layer " + std::to_string(layer) + " of " + std::to_string(names.layers.size()) +
               (layer > 0 ? ", probed alone: its inputs are not the layer below's outputs)" : ")");
  if (names.layers.size() > 1 && !options.layer_given)
    read.note = "the file has " + std::to_string(names.layers.size()) + " layers" +
                (names.prefix.empty() ? "" : " under " + in_quotes(names.prefix)) +
                "; layer 0 is read (--layer K picks another)";
  if (names.reverse)
    read.note += std::string(read.note.empty() ? "" : "; ") +
                 "the layer is bidirectional: its forward direction is read (" +
                 in_quotes(names.prefix + "weight_ih" + read.suffix) + "), not the reverse one";
  return "";
}

// W_ih, W_hh and the biases: their shapes from the header first (nothing too large is read),
// then their values.
std::string read_recurrent_tensors(const Safetensors& file, LayerRead& read) {
  const std::string p = read.names->prefix, suffix = read.suffix;
  const std::string ih = p + "weight_ih" + suffix, hh = p + "weight_hh" + suffix,
                    b_ih = p + "bias_ih" + suffix, b_hh = p + "bias_hh" + suffix,
                    hr = p + "weight_hr" + suffix;
  read.ih = ih;
  if (const TensorEntry* proj = file.find(hr))
    return "the LSTM has a projection (" + in_quotes(hr) +
           ", proj_size = " + std::to_string(proj->shape.empty() ? 0 : proj->shape[0]) +
           "): gradscope reads LSTMs without proj_size";
  const TensorEntry* t_hh = file.find(hh);
  const TensorEntry* t_ih = file.find(ih);
  if (!t_ih) return "tensor " + in_quotes(ih) + " is missing";
  if (!t_hh) return "tensor " + in_quotes(hh) + " is missing (" + in_quotes(ih) + " is there)";
  const TensorEntry* t_bih = file.find(b_ih);
  const TensorEntry* t_bhh = file.find(b_hh);
  if (!t_bih != !t_bhh)
    return "tensor " + in_quotes(t_bih ? b_hh : b_ih) + " is missing while " +
           in_quotes(t_bih ? b_ih : b_hh) + " is there (bias=False drops both)";

  if (std::string e = form_error(*t_hh, 2); !e.empty()) return e;
  if (std::string e = form_error(*t_ih, 2); !e.empty()) return e;
  const Eigen::Index GH = t_hh->shape[0], H = t_hh->shape[1], I = t_ih->shape[1];
  read.GH = GH, read.H = H, read.I = I;
  if (std::string e = check_sizes(hh, GH, H, I, read.gates); !e.empty()) return e;
  read.kind = std::string(kind_name(read.gates)) + " with H = " + std::to_string(H) + " (as " +
              in_quotes(hh) + " " + shape_text(GH, H) + ")";
  if (t_ih->shape[0] != GH)
    return "tensor " + in_quotes(ih) + " has shape " + shape_text(t_ih->shape[0], I) +
           ", expected [" + std::to_string(GH) + ", I] for " + read.kind;
  Params& params = read.params;
  bool& f64 = read.f64;
  if (std::string e = read_matrix(file, *t_hh, 2, params.weight_hh, f64); !e.empty()) return e;
  if (std::string e = read_matrix(file, *t_ih, 2, params.weight_ih, f64); !e.empty()) return e;
  read.biases = t_bih != nullptr;
  if (!t_bih) {
    params.bias_ih = Vec::Zero(GH);
    params.bias_hh = Vec::Zero(GH);
    return "";
  }
  for (const TensorEntry* b : {t_bih, t_bhh}) {  // the shapes before any value is read
    if (std::string e = form_error(*b, 1); !e.empty()) return e;
    if (b->shape[0] != GH)
      return "tensor " + in_quotes(b->name) + " has shape [" + std::to_string(b->shape[0]) +
             "], expected [" + std::to_string(GH) + "] for " + read.kind;
  }
  Mat b_ih_m, b_hh_m;
  if (std::string e = read_matrix(file, *t_bih, 1, b_ih_m, f64); !e.empty()) return e;
  if (std::string e = read_matrix(file, *t_bhh, 1, b_hh_m, f64); !e.empty()) return e;
  params.bias_ih = b_ih_m.col(0);
  params.bias_hh = b_hh_m.col(0);
  return "";
}

// The cell: the shapes say the kind; an RNN's nonlinearity is in the metadata, if anywhere.
std::string read_cell_kind(const Safetensors& file, LayerRead& read, OwnModel& out) {
  const std::string p = read.names->prefix;
  const int gates = read.gates;
  read.cell = gates == 4 ? CellKind::Lstm : gates == 3 ? CellKind::Gru : CellKind::RnnTanh;
  // The key is "cell:" + the names' prefix ("cell:rnn."); older export_weights.py --prefix rnn
  // wrote "cell:rnn", which is read too.
  std::string cell_key = "cell:" + p;
  if (file.metadata_value(cell_key).empty() && !p.empty() && p.back() == '.') cell_key.pop_back();
  const std::string recorded = file.metadata_value(cell_key);
  if (recorded.empty()) return "";
  CellKind named;
  if (!parse_cell_name(recorded, named) || gate_count(named) != gates)
    return "the file's metadata says " + in_quotes(cell_key) + " = " + in_quotes(recorded) +
           ", but the shapes make it " + read.kind;
  read.cell = named;
  out.cell_recorded = true;
  return "";
}

// The readout, if asked for (or named by the metadata): a Linear's weight (O x H) and bias (O).
std::string read_readout(const Safetensors& file, const LoadOptions& options, LayerRead& read,
                         OwnModel& out) {
  const std::string p = read.names->prefix;
  const Eigen::Index H = read.H;
  Params& params = read.params;
  params.weight_out = Mat(0, H);
  params.bias_out = Vec(0);
  std::string r = options.readout_given ? options.readout : file.metadata_value("readout:" + p);
  if (!options.readout_given && r.empty() && !p.empty() && p.back() == '.')
    r = file.metadata_value("readout:" + p.substr(0, p.size() - 1));
  if (!options.readout_given && !r.empty() && !read.last_layer) {
    read.note += std::string(read.note.empty() ? "" : "; ") + "the file's readout " + in_quotes(r) +
                 " reads the last layer, " + std::to_string(read.names->layers.back()) +
                 ": no readout for this one (--readout uses it anyway)";
    r = "";
  }
  if (r == "none") r = "";
  if (r.empty()) return "";
  if (r.back() != '.') r += ".";
  const TensorEntry* w = file.find(r + "weight");
  if (!w)
    return "no readout " + in_quotes(r) +
           (options.readout_given ? "" : " (named by the file's metadata)") +
           ": the file has no tensor " + in_quotes(r + "weight");
  if (std::string e = form_error(*w, 2); !e.empty()) return e;
  const Eigen::Index O = w->shape[0];
  if (w->shape[1] != H || O < 1)
    return "tensor " + in_quotes(r + "weight") + " has shape " + shape_text(O, w->shape[1]) +
           ", expected [O, " + std::to_string(H) + "] for a readout of " + read.kind;
  if (std::string e = read_matrix(file, *w, 2, params.weight_out, read.f64); !e.empty()) return e;
  params.bias_out = Vec::Zero(O);
  if (const TensorEntry* b = file.find(r + "bias")) {
    if (std::string e = form_error(*b, 1); !e.empty()) return e;
    if (b->shape[0] != O)
      return "tensor " + in_quotes(r + "bias") + " has shape [" + std::to_string(b->shape[0]) +
             "], expected [" + std::to_string(O) + "] (as " + in_quotes(r + "weight") + ")";
    Mat bias;
    if (std::string e = read_matrix(file, *b, 1, bias, read.f64); !e.empty()) return e;
    params.bias_out = bias.col(0);
  }
  out.readout_prefix = r;
  return "";
}

std::string load_safetensors_model(const Safetensors& file, const LoadOptions& options,
                                   OwnModel& out) {
  std::vector<LayerNames> layers;  // read.names points into it
  LayerRead read;
  if (std::string e = choose_layer(file, options, layers, read); !e.empty()) return e;
  if (std::string e = choose_layer_number(options, read); !e.empty()) return e;
  if (std::string e = read_recurrent_tensors(file, read); !e.empty()) return e;
  if (std::string e = read_cell_kind(file, read, out); !e.empty()) return e;
  if (std::string e = read_readout(file, options, read, out); !e.empty()) return e;

  Model& model = out.model;
  model.cell = read.cell;
  model.input_size = static_cast<int>(read.I);
  model.hidden_size = static_cast<int>(read.H);
  model.output_size = static_cast<int>(read.params.weight_out.rows());
  model.params = std::move(read.params);
  out.precision = read.f64 ? Precision::F64 : Precision::F32;
  out.note = read.note;
  out.description =
      std::string(cell_name(read.cell)) + " from " + in_quotes(read.ih) + read.which +
      ": input size " + std::to_string(read.I) + ", hidden " + std::to_string(read.H) + ", " +
      (read.biases ? "with" : "without") + " biases, " + (read.f64 ? "F64" : "F32") + " tensors" +
      (out.readout_prefix.empty() ? ""
                                  : "; readout " + in_quotes(out.readout_prefix) + " (" +
                                        std::to_string(model.output_size) + " outputs)");
  return "";
}

// --- decay / spectrum --export records ------------------------------------------------------

// A JSON array of numbers (a matrix: an array of rows of equal length) as a matrix; `rows` /
// `cols` < 0: any. Values must be finite numbers ("overflow" and null are refused).
std::string json_matrix(const json& record, const std::string& field, bool two_dims,
                        Eigen::Index rows, Eigen::Index cols, Mat& out,
                        const std::string& shape_hint = "") {
  const auto it = record.find(field);
  const std::string what = "the export's " + in_quotes(field);
  const std::string expected =
      !shape_hint.empty() ? shape_hint
      : two_dims          ? "[" + (rows >= 0 ? std::to_string(rows) : std::string("any")) + ", " +
                       (cols >= 0 ? std::to_string(cols) : std::string("any")) + "]"
                 : "[" + std::to_string(rows) + "]";
  if (it == record.end()) return what + " is missing";
  const json& j = *it;
  if (!j.is_array())
    return what + " is not an array: expected " + (two_dims ? "a matrix " : "a vector ") + expected;
  const Eigen::Index n = static_cast<Eigen::Index>(j.size());
  Eigen::Index width = 1;
  if (two_dims) {
    if (n > 0 && !j[0].is_array())
      return what + " is not a matrix: expected " + expected +
             ", an array of rows that are arrays of numbers, but its row 0 is not an array";
    width = n > 0 ? static_cast<Eigen::Index>(j[0].size()) : cols;
    if (width < 0) width = 0;
  }
  if ((rows >= 0 && n != rows) || (two_dims && cols >= 0 && width != cols))
    return what + " has shape " +
           (two_dims ? shape_text(n, width) : "[" + std::to_string(n) + "]") + ", expected " +
           expected;
  out.resize(n, width);
  for (Eigen::Index r = 0; r < n; ++r) {
    const json& row = j[r];
    if (two_dims && (!row.is_array() || static_cast<Eigen::Index>(row.size()) != width))
      return what + " is not a matrix: expected " + expected + ", rows of " +
             std::to_string(width) + " numbers as row 0, but row " + std::to_string(r) +
             (row.is_array() ? " has " + std::to_string(row.size()) + " values"
                             : std::string(" is not an array"));
    for (Eigen::Index c = 0; c < width; ++c) {
      const json& v = two_dims ? row[c] : row;
      const double x = v.is_number() ? v.get<double>() : std::nan("");
      if (!std::isfinite(x))
        return what + " holds a value that is not a finite number at [" + std::to_string(r) +
               (two_dims ? ", " + std::to_string(c) : "") + "]";
      out(r, c) = x;
    }
  }
  return "";
}

std::string load_export(const unsigned char* bytes, std::size_t size, const LoadOptions& options,
                        OwnModel& out) {
  const char* text = reinterpret_cast<const char*>(bytes);
  const std::string larger =
      ": write the model as safetensors instead (decay --save FILE, or "
      "scripts/export_weights.py), which holds any model gradscope computes";
  if (size > kMaxExportBytes)
    return "the JSON record has " + std::to_string(size) + " bytes, over gradscope's limit of " +
           std::to_string(kMaxExportBytes >> 20) + " MB (" + std::to_string(kMaxExportBytes) +
           " bytes) for a decay --export record, which is parsed whole" + larger;
  const JsonScan scan = scan_json(text, text + size, kMaxExportValues);
  if (scan.too_many)
    return "the JSON record holds more than " + std::to_string(kMaxExportValues) +
           " values, over gradscope's limit for a decay --export record" + larger;
  if (!scan.duplicate.empty())
    return "the JSON record names " + in_quotes(scan.duplicate) +
           " twice in one object: which one is meant is not clear";
  const json record = scan.valid
                          ? json::parse(text, text + size, nullptr, /*allow_exceptions=*/false)
                          : json(json::value_t::discarded);
  if (record.is_discarded() || !record.is_object())
    return "not a safetensors file, and not valid JSON either (it starts with '{', as a decay "
           "--export record does)";
  const auto weights = record.find("weights");
  if (weights == record.end() || !weights->is_object())
    return std::string(
               "a JSON file without 'weights': gradscope reads decay and spectrum "
               "--export records") +
           (record.contains("cells") ? " (this looks like train --export's; train --save "
                                       "writes a model as safetensors)"
                                     : "");
  if (options.prefix_given || options.layer_given || options.readout_given)
    return "a decay --export record holds one layer and its readout: the prefix, layer and "
           "readout options are for safetensors files";
  const auto cell_it = record.find("cell");
  CellKind cell;
  if (cell_it == record.end() || !cell_it->is_string() ||
      !parse_cell_name(cell_it->get<std::string>(), cell))
    return "the export's 'cell' is missing or not a cell name";
  const auto precision_it = record.find("precision");
  const std::string precision = precision_it != record.end() && precision_it->is_string()
                                    ? precision_it->get<std::string>()
                                    : "";
  if (precision != "f32" && precision != "f64")
    return "the export's 'precision' is missing or not f32 or f64";
  Params p;
  Mat column;
  const int G = gate_count(cell);
  if (std::string e = json_matrix(*weights, "weight_hh_l0", true, -1, -1, p.weight_hh,
                                  "[" + (G > 1 ? std::to_string(G) + " H" : std::string("H")) +
                                      ", H] for its " + cell_name(cell));
      !e.empty())
    return e;
  const Eigen::Index H = p.weight_hh.cols(), GH = gate_count(cell) * H;
  int gates = 0;
  if (p.weight_hh.rows() != GH)
    return "the export's 'weight_hh_l0' has shape " + shape_text(p.weight_hh.rows(), H) +
           ", expected [" + std::to_string(GH) + ", " + std::to_string(H) + "] for its " +
           cell_name(cell);
  if (std::string e = json_matrix(*weights, "weight_ih_l0", true, GH, -1, p.weight_ih); !e.empty())
    return e;
  const Eigen::Index I = p.weight_ih.cols();
  if (std::string e = check_sizes("weight_hh_l0", GH, H, I, gates); !e.empty()) return e;
  if (std::string e = json_matrix(*weights, "bias_ih_l0", false, GH, 1, column); !e.empty())
    return e;
  p.bias_ih = column.col(0);
  if (std::string e = json_matrix(*weights, "bias_hh_l0", false, GH, 1, column); !e.empty())
    return e;
  p.bias_hh = column.col(0);
  if (std::string e = json_matrix(*weights, "weight_out", true, -1, H, p.weight_out); !e.empty())
    return e;
  const Eigen::Index O = p.weight_out.rows();
  if (O > 0) {
    if (std::string e = json_matrix(*weights, "bias_out", false, O, 1, column); !e.empty())
      return e;
    p.bias_out = column.col(0);
  } else {
    p.bias_out = Vec(0);
  }
  Mat inputs;
  if (std::string e = json_matrix(record, "inputs", true, -1, I, inputs); !e.empty()) return e;
  if (inputs.rows() < 1) return "the export's 'inputs' has no steps";
  if (std::string e = json_matrix(record, "h0", false, H, 1, out.h0); !e.empty()) return e;
  if (has_cell_state(cell))
    if (std::string e = json_matrix(record, "c0", false, H, 1, out.c0); !e.empty()) return e;
  if (std::string e = json_matrix(record, "seed_grad_h", false, H, 1, out.seed_grad_h); !e.empty())
    return e;
  // The config it was computed under (decay and spectrum records have one): checked here, so
  // that use_own_model can adopt it.
  out.export_config.clear();
  if (const auto config = record.find("config"); config != record.end()) {
    if (!config->is_object()) return "the export's 'config' is not an object of key = value texts";
    Config check;
    for (const auto& [key, value] : config->items()) {
      if (!value.is_string())
        return "the export's 'config' is malformed: " + in_quotes(key) + " is not a string";
      if (std::string e = set_config_value(check, key, value.get<std::string>()); !e.empty())
        return "the export's 'config' is malformed: " + e;
      out.export_config.emplace_back(key, value.get<std::string>());
    }
  }
  out.inputs.clear();
  for (Eigen::Index t = 0; t < inputs.rows(); ++t) out.inputs.push_back(inputs.row(t).transpose());
  out.model.cell = cell;
  out.model.input_size = static_cast<int>(I);
  out.model.hidden_size = static_cast<int>(H);
  out.model.output_size = static_cast<int>(O);
  out.model.params = std::move(p);
  out.cell_recorded = true;
  out.from_export = true;
  out.precision = precision == "f64" ? Precision::F64 : Precision::F32;
  out.description = std::string("a decay --export record: ") + cell_name(cell) + ", input size " +
                    std::to_string(I) + ", hidden " + std::to_string(H) + ", " +
                    std::to_string(inputs.rows()) + " steps of inputs, h0" +
                    (has_cell_state(cell) ? ", c0" : "") + " and seed_grad_h, precision " +
                    precision;
  return "";
}

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
      std::string list;  // "init, scale, radius, forget_bias and chrono"
      for (size_t i = 0; i < drawing.size(); ++i)
        list += (i == 0 ? "" : i + 1 == drawing.size() ? " and " : ", ") + drawing[i];
      return key + " is set, but the weights come from the file (" + list +
             " shape drawn weights only)";
    }
  model = own.model;
  const CellKind cell = own.model.cell;
  const bool rnn = gate_count(cell) == 1;
  if (is_explicit(explicit_keys, "cell")) {
    const std::vector<CellKind>& given = config.cells;
    const CellKind asked = given[0];
    const std::string why =
        rnn ? (own.cell_recorded ? std::string("the file says its RNN is ") + cell_name(cell)
                                 : std::string("its layer is an RNN (weight_hh has H rows)"))
            : std::string("its layer is ") + (cell == CellKind::Lstm ? "an LSTM" : "a GRU") +
                  " (weight_hh has " + (cell == CellKind::Lstm ? "4H" : "3H") + " rows)";
    const bool fits = given.size() == 1 &&
                      (asked == cell || (rnn && !own.cell_recorded && gate_count(asked) == 1));
    if (!fits) return "cell=" + cells_text(given) + " contradicts the file: " + why;
    model.cell = asked;
  }
  config.cells = {model.cell};
  if (is_explicit(explicit_keys, "hidden") && config.hidden != own.model.hidden_size)
    return "hidden=" + std::to_string(config.hidden) +
           " contradicts the file: its layer has hidden size " +
           std::to_string(own.model.hidden_size);
  config.hidden = own.model.hidden_size;
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
    out.params.bias_out.resize(O);
    for (int r = 0; r < O; ++r)
      for (int c = 0; c < H; ++c) out.params.weight_out(r, c) = rng.uniform(-bound, bound);
    for (int r = 0; r < O; ++r) out.params.bias_out(r) = rng.uniform(-bound, bound);
    out.output_size = O;
    said.push_back("readout: drawn as torch.nn.Linear's default from the seed (" +
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
    tensors.push_back(tensor_out(rnn + "weight_ih_l0", p.weight_ih));
    tensors.push_back(tensor_out(rnn + "weight_hh_l0", p.weight_hh));
    tensors.push_back(tensor_out(rnn + "bias_ih_l0", p.bias_ih));
    tensors.push_back(tensor_out(rnn + "bias_hh_l0", p.bias_hh));
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
