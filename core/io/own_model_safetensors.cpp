// Reading a layer of a safetensors file, in the phases load_safetensors_model runs: which layer,
// its tensors, its cell kind, its readout.
#include <algorithm>
#include <cmath>

#include "io/lru_tensors.h"
#include "io/own_model_read.h"

namespace gs {

namespace {

const char* kind_name(int gates) {
  return gates == 4 ? "an LSTM" : gates == 3 ? "a GRU" : "an RNN";
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
           "LSTM, GRU), <prefix>weight_ih (RNNCell, LSTMCell, GRUCell) or "
           "<prefix>to_hidden_and_gate.weight (minGRU; to_hidden_and_f_i_gate: minLSTM) or "
           "<prefix>nu_log (LRU); it has " +
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
      return "layer " + std::to_string(options.layer) + " is not in the file: " +
             (names.lru ? in_quotes(names.prefix + "nu_log") + " is one LRU layer"
              : names.linear_cell
                  ? in_quotes(names.prefix + names.linear_cell->input_linear) + " is one " +
                        names.linear_cell->label + " layer"
                  : in_quotes(names.prefix + "weight_ih") +
                        " is a single cell (RNNCell, LSTMCell, GRUCell)");
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
// A minimal cell's one Linear: <prefix><input_linear>.weight [G H, I] and .bias [G H] (absent:
// zeros, bias=False). No W_hh.
std::string read_linear_cell_tensors(const Safetensors& file, LayerRead& read) {
  const CellInfo& row = *read.names->linear_cell;
  const std::string name = read.names->prefix + row.input_linear;
  const std::string w = name + ".weight", b = name + ".bias";
  const TensorEntry* t_w = file.find(w);
  if (std::string e = form_error(*t_w, 2); !e.empty()) return e;
  const Eigen::Index GH = t_w->shape[0], I = t_w->shape[1], H = GH / row.gates;
  read.ih = w, read.GH = GH, read.H = H, read.I = I, read.gates = row.gates;
  if (GH % row.gates != 0 || H < 1)
    return "tensor " + in_quotes(w) + " has shape " + shape_text(GH, I) + ", expected [" +
           std::to_string(row.gates) + " H, I] for " + row.a_label + " (rows " + row.gate_names +
           ")";
  if (std::string e = check_hidden_and_input(w, GH, I, H, I); !e.empty()) return e;
  read.kind = std::string(row.a_label) + " with H = " + std::to_string(H) + " (as " + in_quotes(w) +
              " " + shape_text(GH, I) + ")";
  Params& params = read.params;
  if (std::string e = read_matrix(file, *t_w, 2, params.weight_ih, read.f64); !e.empty()) return e;
  params.weight_hh = Mat(0, H);
  params.bias_hh = Vec(0);
  const TensorEntry* t_b = file.find(b);
  read.biases = t_b != nullptr;
  if (!t_b) {
    params.bias_ih = Vec::Zero(GH);
    return "";
  }
  if (std::string e = form_error(*t_b, 1); !e.empty()) return e;
  if (t_b->shape[0] != GH)
    return "tensor " + in_quotes(b) + " has shape [" + std::to_string(t_b->shape[0]) +
           "], expected [" + std::to_string(GH) + "] for " + read.kind;
  Mat column;
  if (std::string e = read_matrix(file, *t_b, 1, column, read.f64); !e.empty()) return e;
  params.bias_ih = column.col(0);
  return "";
}

// The LRU's eight tensors (io/lru_tensors.h): nu_log, theta_log, gamma_log [N]; B_re, B_im [N, I];
// C_re, C_im [O, N]; D [O, I], or [O] when O = I (the reference's elementwise skip). C and D are
// the layer's own readout: a file without all three has none (as --save writes a model read with
// --readout none).
std::string read_lru_tensors(const Safetensors& file, LayerRead& read) {
  const std::string p = read.names->prefix;
  const char* const names[] = {"nu_log", "theta_log", "gamma_log", "B_re", "B_im", "C_re", "C_im", "D"};
  std::vector<const TensorEntry*> t;
  for (const char* name : names) t.push_back(file.find(p + name));
  const bool readout = t[5] || t[6] || t[7];
  for (int k = 0; k < 8; ++k)
    if (!t[k] && (k < 5 || readout))
      return "tensor " + in_quotes(p + names[k]) + " is missing (" + in_quotes(p + "nu_log") +
             " is there: an LRU has nu_log, theta_log, gamma_log, B_re, B_im, C_re, C_im and D)";
  for (int k = 0; k < 8; ++k)
    if (t[k])
      if (std::string e = form_error(*t[k], k < 3 || (k == 7 && t[7]->shape.size() == 1) ? 1 : 2); !e.empty())
        return e;
  const int64_t N = t[0]->shape[0], I = t[3]->shape[1], O = readout ? t[5]->shape[0] : 0;
  const auto expect = [&](const TensorEntry* e, std::vector<int64_t> shape, const char* form) {
    return e->shape == shape ? std::string()
                             : "tensor " + in_quotes(e->name) + " has shape " + shape_text(e->shape) +
                                   ", expected " + form + " = " + shape_text(shape) + " for an LRU with N = " +
                                   std::to_string(N) + " (as " + in_quotes(p + "nu_log") + ")";
  };
  for (int k = 1; k < 3; ++k)
    if (std::string e = expect(t[k], {N}, "[N]"); !e.empty()) return e;
  for (int k = 3; k < 5; ++k)
    if (std::string e = expect(t[k], {N, I}, "[N, I]"); !e.empty()) return e;
  const bool elementwise = readout && t[7]->shape.size() == 1;
  if (readout) {
    for (int k = 5; k < 7; ++k)
      if (std::string e = expect(t[k], {O, N}, "[O, N]"); !e.empty()) return e;
    if (std::string e = elementwise && O == I ? expect(t[7], {O}, "[O] (O = I)")
                                              : expect(t[7], {O, I}, "[O, I]");
        !e.empty())
      return e;
  }
  if (std::string e = check_hidden_and_input(p + "nu_log", N, 1, N, I); !e.empty()) return e;
  std::vector<Mat> values(8);
  for (int k = 0; k < 8; ++k) {
    if (!t[k]) continue;
    if (std::string e = read_matrix(file, *t[k], static_cast<int>(t[k]->shape.size()), values[k], read.f64);
        !e.empty())
      return e;
  }
  if (!readout) values[5] = values[6] = Mat(0, N), values[7] = Mat(0, I);
  if (elementwise) values[7] = Mat(values[7].col(0).asDiagonal());
  read.params = lru_params_from<double>([&](const std::string& name) {
    return values[std::find(std::begin(names), std::end(names), name) - std::begin(names)];
  });
  read.ih = p + "nu_log", read.H = 2 * N, read.I = I, read.GH = 2 * N, read.gates = 1;
  read.kind = "an LRU with N = " + std::to_string(N) + " complex units (as " + in_quotes(p + "nu_log") +
              " " + shape_text(t[0]->shape) + ")";
  return "";
}

std::string read_recurrent_tensors(const Safetensors& file, LayerRead& read) {
  if (read.names->linear_cell) return read_linear_cell_tensors(file, read);
  if (read.names->lru) return read_lru_tensors(file, read);
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
  read.cell = CellKind::RnnTanh;  // G = 1: an RNN, whose nonlinearity the metadata may name
  for (const CellInfo& row : kCellRows)
    if (row.jacobian == JacobianShape::Dense && row.family != CellFamily::Rnn && row.gates == gates)
      read.cell = row.kind;
  if (read.names->linear_cell) read.cell = read.names->linear_cell->kind;  // its Linear's name says
  if (read.names->lru) read.cell = CellKind::Lru;                          // nu_log says
  // The key is "cell:" + the names' prefix ("cell:rnn."); older export_weights.py --prefix rnn
  // wrote "cell:rnn", which is read too.
  std::string cell_key = "cell:" + p;
  if (file.metadata_value(cell_key).empty() && !p.empty() && p.back() == '.') cell_key.pop_back();
  const std::string recorded = file.metadata_value(cell_key);
  if (recorded.empty()) return "";
  CellKind named;
  if (!parse_cell_name(recorded, named) || gate_count(named) != gates ||
      (cell_info(named).input_linear != nullptr) != (read.names->linear_cell != nullptr) ||
      has_complex_state(named) != read.names->lru ||
      ((read.names->linear_cell || read.names->lru) && named != read.cell))
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
  if (read.names->lru) {  // C and D, read with the layer; --readout none drops them
    if (options.readout_given && options.readout != "none")
      return "--readout " + in_quotes(options.readout) + " is for a torch layer's Linear: an LRU's "
             "readout is its own C and D (" + in_quotes(p + "C_re") + "); only --readout none "
             "changes it";
    if (options.readout_given || params.weight_out.rows() == 0) {
      params.weight_out = Mat(0, H);
      params.skip = Mat(0, read.I);
    } else {
      out.readout_prefix = p + "C_re, " + p + "C_im, " + p + "D";
    }
    return "";
  }
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

}  // namespace

std::string read_matrix(const Safetensors& file, const TensorEntry& t, int wanted_dims, Mat& out,
                        bool& f64, const char* what) {
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

std::string check_hidden_and_input(const std::string& name, Eigen::Index rows, Eigen::Index cols,
                                   Eigen::Index H, Eigen::Index I) {
  if (H < 1) return "tensor " + in_quotes(name) + " has no columns: the hidden size is 0";
  Config check;
  if (const std::string error = set_config_value(check, "hidden", std::to_string(H));
      !error.empty())
    return "tensor " + in_quotes(name) + " has shape " + shape_text(rows, cols) +
           ": its hidden size " + std::to_string(H) + " is too large (" + error + ")";
  if (I < 1 || I > kMaxOwnInputSize)
    return "the layer's input size " + std::to_string(I) + " is outside gradscope's range 1.." +
           std::to_string(kMaxOwnInputSize);
  return "";
}

std::string check_sizes(const std::string& hh_name, Eigen::Index rows, Eigen::Index H,
                        Eigen::Index I, int& gates) {
  if (H < 1) return "tensor " + in_quotes(hh_name) + " has no columns: the hidden size is 0";
  gates = rows % H == 0 ? static_cast<int>(rows / H) : 0;
  if (gates != 1 && gates != 3 && gates != 4)
    return "tensor " + in_quotes(hh_name) + " has shape " + shape_text(rows, H) +
           ", which fits no cell: for H = " + std::to_string(H) +
           " columns its rows must be H (RNN), 3H (GRU) or 4H (LSTM)";
  return check_hidden_and_input(hh_name, rows, H, H, I);
}

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
  // the minimal cells: one Linear, <prefix><input_linear>.weight
  for (const TensorEntry& t : file.tensors)
    for (const CellInfo& row : kCellRows) {
      if (!row.input_linear) continue;
      const std::string tail = std::string(row.input_linear) + ".weight";
      if (t.name.size() < tail.size() || t.name.compare(t.name.size() - tail.size(), tail.size(), tail) != 0)
        continue;
      const std::string prefix = t.name.substr(0, t.name.size() - tail.size());
      if (!prefix.empty() && prefix.back() != '.') continue;  // "xto_hidden_and_gate" is another name
      found.push_back({prefix, {}, true, false, &row});
    }
  // the LRU: <prefix>nu_log beside its seven other tensors
  for (const TensorEntry& t : file.tensors) {
    const std::string tail = "nu_log";
    if (t.name.size() < tail.size() || t.name.compare(t.name.size() - tail.size(), tail.size(), tail) != 0)
      continue;
    const std::string prefix = t.name.substr(0, t.name.size() - tail.size());
    if (!prefix.empty() && prefix.back() != '.') continue;
    found.push_back({prefix, {}, true, false, nullptr, true});
  }
  for (LayerNames& l : found) std::sort(l.layers.begin(), l.layers.end());
  std::sort(found.begin(), found.end(),
            [](const LayerNames& a, const LayerNames& b) { return a.prefix < b.prefix; });
  return found;
}

namespace {

// The dtypes of the layer's tensors as stored (those under its prefix), "F16" or "F16 and F32":
// an F16 or BF16 file is read exactly and computed in float32, but it is not an F32 file.
std::string stored_dtypes(const Safetensors& file, const LayerRead& read) {
  std::vector<std::string> seen;
  for (const TensorEntry& t : file.tensors)
    if (t.name.compare(0, read.names->prefix.size(), read.names->prefix) == 0 &&
        std::find(seen.begin(), seen.end(), t.dtype) == seen.end())
      seen.push_back(t.dtype);
  std::sort(seen.begin(), seen.end());
  std::string out;
  for (size_t i = 0; i < seen.size(); ++i)
    out += (i == 0 ? "" : i + 1 == seen.size() ? " and " : ", ") + seen[i];
  return out.empty() ? (read.f64 ? "F64" : "F32") : out;
}

}  // namespace

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
      ": input size " + std::to_string(read.I) + ", " + hidden_text(read.cell, read.H) + ", " +
      (read.biases ? "with" : "without") + " biases, " + stored_dtypes(file, read) + " tensors" +
      (out.readout_prefix.empty() ? ""
                                  : "; readout " + in_quotes(out.readout_prefix) + " (" +
                                        std::to_string(model.output_size) + " outputs)");
  return "";
}

}  // namespace gs
