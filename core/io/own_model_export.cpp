// Reading a decay / spectrum --export record (JSON) back as a model with its own sequence.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "io/lru_tensors.h"
#include "io/own_model_read.h"

namespace gs {

namespace {

using nlohmann::json;

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

// The record's bytes as a JSON object, after the checks that keep parsing cheap: its size,
// its count of values and no name twice in one object.
std::string parse_record(const unsigned char* bytes, std::size_t size, json& record) {
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
  record = scan.valid ? json::parse(text, text + size, nullptr, /*allow_exceptions=*/false)
                      : json(json::value_t::discarded);
  if (record.is_discarded() || !record.is_object())
    return "not a safetensors file, and not valid JSON either (it starts with '{', as a decay "
           "--export record does)";
  return "";
}

// A minimal cell's one Linear, W_ih and b_ih in the reference's names; W_hh empty.
std::string read_linear_cell_weights(const json& weights, CellKind cell, Params& p) {
  const int G = gate_count(cell);
  const std::string w_name = file_tensor_name(cell, "weight_ih_l0");
  if (std::string e = json_matrix(weights, w_name, true, -1, -1, p.weight_ih,
                                  "[" + std::to_string(G) + " H, I] for its " + cell_name(cell));
      !e.empty())
    return e;
  const Eigen::Index GH = p.weight_ih.rows(), H = GH / G, I = p.weight_ih.cols();
  if (GH % G != 0 || H < 1)
    return "the export's " + in_quotes(w_name) + " has shape " + shape_text(GH, I) +
           ", expected [" + std::to_string(G) + " H, I] for its " + cell_name(cell);
  if (std::string e = check_hidden_and_input(w_name, GH, I, H, I); !e.empty()) return e;
  Mat column;
  if (std::string e =
          json_matrix(weights, file_tensor_name(cell, "bias_ih_l0"), false, GH, 1, column);
      !e.empty())
    return e;
  p.bias_ih = column.col(0);
  p.weight_hh = Mat(0, H);
  p.bias_hh = Vec(0);
  return "";
}

// The LRU's eight tensors in its reference's names (io/lru_tensors.h): nu_log gives N, B_re I,
// C_re O; C and D are its readout.
std::string read_lru_weights(const json& weights, Params& p) {
  Mat nu_log, b_re, c_re;
  if (std::string e = json_matrix(weights, "nu_log", false, -1, 1, nu_log, "[N] for its lru");
      !e.empty())
    return e;
  const Eigen::Index N = nu_log.rows();
  if (std::string e = json_matrix(weights, "B_re", true, N, -1, b_re); !e.empty()) return e;
  if (std::string e = json_matrix(weights, "C_re", true, -1, N, c_re); !e.empty()) return e;
  const Eigen::Index I = b_re.cols(), O = c_re.rows();
  if (std::string e = check_hidden_and_input("nu_log", N, 1, N, I); !e.empty()) return e;
  Mat theta_log, gamma_log, b_im, c_im, d;
  if (std::string e = json_matrix(weights, "theta_log", false, N, 1, theta_log); !e.empty()) return e;
  if (std::string e = json_matrix(weights, "gamma_log", false, N, 1, gamma_log); !e.empty()) return e;
  if (std::string e = json_matrix(weights, "B_im", true, N, I, b_im); !e.empty()) return e;
  if (std::string e = json_matrix(weights, "C_im", true, O, N, c_im); !e.empty()) return e;
  if (std::string e = json_matrix(weights, "D", true, O, I, d); !e.empty()) return e;
  const std::pair<std::string, const Mat*> by_name[] = {
      {"nu_log", &nu_log}, {"theta_log", &theta_log}, {"gamma_log", &gamma_log}, {"B_re", &b_re},
      {"B_im", &b_im},     {"C_re", &c_re},           {"C_im", &c_im},           {"D", &d}};
  p = lru_params_from<double>([&](const std::string& name) {
    for (const auto& [n, m] : by_name)
      if (n == name) return *m;
    return Mat();
  });
  return "";
}

// torch.nn.RNN / LSTM / GRU's four tensors, W_hh's shape first (it gives H).
std::string read_torch_cell_weights(const json& weights, CellKind cell, Params& p) {
  const int G = gate_count(cell);
  if (std::string e = json_matrix(weights, "weight_hh_l0", true, -1, -1, p.weight_hh,
                                  "[" + (G > 1 ? std::to_string(G) + " H" : std::string("H")) +
                                      ", H] for its " + cell_name(cell));
      !e.empty())
    return e;
  const Eigen::Index H = p.weight_hh.cols(), GH = G * H;
  if (p.weight_hh.rows() != GH)
    return "the export's 'weight_hh_l0' has shape " + shape_text(p.weight_hh.rows(), H) +
           ", expected [" + std::to_string(GH) + ", " + std::to_string(H) + "] for its " +
           cell_name(cell);
  if (std::string e = json_matrix(weights, "weight_ih_l0", true, GH, -1, p.weight_ih); !e.empty())
    return e;
  int gates = 0;
  if (std::string e = check_sizes("weight_hh_l0", GH, H, p.weight_ih.cols(), gates); !e.empty())
    return e;
  Mat column;
  if (std::string e = json_matrix(weights, "bias_ih_l0", false, GH, 1, column); !e.empty())
    return e;
  p.bias_ih = column.col(0);
  if (std::string e = json_matrix(weights, "bias_hh_l0", false, GH, 1, column); !e.empty())
    return e;
  p.bias_hh = column.col(0);
  return "";
}

// The readout weight_out (O x H) and bias_out; O = 0: none.
std::string read_readout_weights(const json& weights, Eigen::Index H, Params& p) {
  if (std::string e = json_matrix(weights, "weight_out", true, -1, H, p.weight_out); !e.empty())
    return e;
  const Eigen::Index O = p.weight_out.rows();
  p.bias_out = Vec(0);
  if (O == 0) return "";
  Mat column;
  if (std::string e = json_matrix(weights, "bias_out", false, O, 1, column); !e.empty()) return e;
  p.bias_out = column.col(0);
  return "";
}

// The config it was computed under (decay and spectrum records have one): checked here, so
// that use_own_model can adopt it.
std::string read_export_config(const json& record, OwnModel& out) {
  out.export_config.clear();
  const auto config = record.find("config");
  if (config == record.end()) return "";
  if (!config->is_object()) return "the export's 'config' is not an object of key = value texts";
  Config check;
  for (const auto& [key, value] : config->items()) {
    if (!value.is_string())
      return "the export's 'config' is malformed: " + in_quotes(key) + " is not a string";
    if (std::string e = set_config_value(check, key, value.get<std::string>()); !e.empty())
      return "the export's 'config' is malformed: " + e;
    out.export_config.emplace_back(key, value.get<std::string>());
  }
  return "";
}

}  // namespace

std::string load_export(const unsigned char* bytes, std::size_t size, const LoadOptions& options,
                        OwnModel& out) {
  json record;
  if (std::string e = parse_record(bytes, size, record); !e.empty()) return e;
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
  if (std::string e = has_complex_state(cell)         ? read_lru_weights(*weights, p)
                      : cell_info(cell).input_linear ? read_linear_cell_weights(*weights, cell, p)
                                                     : read_torch_cell_weights(*weights, cell, p);
      !e.empty())
    return e;
  const Eigen::Index H = p.weight_hh.cols(), I = p.weight_ih.cols();
  if (!has_complex_state(cell))  // the LRU's readout, C and D, came with its layer
    if (std::string e = read_readout_weights(*weights, H, p); !e.empty()) return e;
  Mat inputs;
  if (std::string e = json_matrix(record, "inputs", true, -1, I, inputs); !e.empty()) return e;
  if (inputs.rows() < 1) return "the export's 'inputs' has no steps";
  if (std::string e = json_matrix(record, "h0", false, H, 1, out.h0); !e.empty()) return e;
  if (has_cell_state(cell))
    if (std::string e = json_matrix(record, "c0", false, H, 1, out.c0); !e.empty()) return e;
  if (std::string e = json_matrix(record, "seed_grad_h", false, H, 1, out.seed_grad_h); !e.empty())
    return e;
  if (std::string e = read_export_config(record, out); !e.empty()) return e;

  out.inputs.clear();
  for (Eigen::Index t = 0; t < inputs.rows(); ++t) out.inputs.push_back(inputs.row(t).transpose());
  out.model.cell = cell;
  out.model.input_size = static_cast<int>(I);
  out.model.hidden_size = static_cast<int>(H);
  out.model.output_size = static_cast<int>(p.weight_out.rows());
  out.model.params = std::move(p);
  out.cell_recorded = true;
  out.from_export = true;
  out.precision = precision == "f64" ? Precision::F64 : Precision::F32;
  out.description = std::string("a decay --export record: ") + cell_name(cell) + ", input size " +
                    std::to_string(I) + ", " + hidden_text(cell, H) + ", " +
                    std::to_string(inputs.rows()) + " steps of inputs, h0" +
                    (has_cell_state(cell) ? ", c0" : "") + " and seed_grad_h, precision " +
                    precision;
  return "";
}

}  // namespace gs
