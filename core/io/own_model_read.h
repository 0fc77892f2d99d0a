// Inside own_model.cpp's load_model: the two readers, one per format, and what they share.
// Not part of the interface (own_model.h is): each reader's file keeps its steps to itself.
#pragma once
#include <string>
#include <vector>

#include "io/own_model.h"
#include "io/safetensors.h"
#include "io/shown_text.h"

namespace gs {

// A name and a shape as the messages write them: 'rnn.weight_hh_l0', [64, 16].
inline std::string in_quotes(const std::string& name) { return "'" + excerpt(name) + "'"; }

// "hidden 16"; the LRU's rows of h are its complex units' reals: "hidden 8 (complex: 16 reals)".
inline std::string hidden_text(CellKind cell, Eigen::Index rows) {
  return has_complex_state(cell) ? "hidden " + std::to_string(rows / 2) + " (complex: " +
                                       std::to_string(rows) + " reals)"
                                 : "hidden " + std::to_string(rows);
}

inline std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
}

inline std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// A recurrent layer's names in a file: `<prefix>weight_ih_l<k>[_reverse]` or, for a cell module,
// `<prefix>weight_ih`; for a cell whose row names an input Linear (minGRU, minLSTM),
// `<prefix><input_linear>.weight`, and `linear_cell` is that cell; for the LRU, `<prefix>nu_log`.
struct LayerNames {
  std::string prefix;
  std::vector<int> layers;  // the k present, sorted; empty for a cell module
  bool cell_module = false;
  bool reverse = false;  // bidirectional: weight_ih_l<k>_reverse present
  const CellInfo* linear_cell = nullptr;
  bool lru = false;  // the LRU's tensors: <prefix>nu_log and the rest (io/lru_tensors.h)
};

// Every recurrent layer a safetensors file holds, by its names' prefix.
std::vector<LayerNames> find_layers(const Safetensors& file);

// Reads tensor `t` (F32 or F64, finite) as a matrix of its shape (a vector: one column).
// `wanted_dims` is 1 or 2. Sets `f64` if it is F64. "" or the error.
std::string read_matrix(const Safetensors& file, const TensorEntry& t, int wanted_dims, Mat& out,
                        bool& f64, const char* what = "weights");
// The hidden size H (read from tensor `name`, of shape rows x cols) and the input size I in
// gradscope's range. "" or the error.
std::string check_hidden_and_input(const std::string& name, Eigen::Index rows, Eigen::Index cols,
                                   Eigen::Index H, Eigen::Index I);
// W_hh's shape (rows x H) and the input size I: the gate count they give (1, 3 or 4), and sizes
// in gradscope's range. "" or the error.
std::string check_sizes(const std::string& hh_name, Eigen::Index rows, Eigen::Index H,
                        Eigen::Index I, int& gates);

// A layer of a safetensors file (own_model_safetensors.cpp): the layer the options choose, its
// tensors, its cell kind and its readout, read in that order.
std::string load_safetensors_model(const Safetensors& file, const LoadOptions& options,
                                   OwnModel& out);

// A decay / spectrum --export record (own_model_export.cpp): its model, sequence, initial state
// and seed gradient, so that it reloads to exactly its numbers.
std::string load_export(const unsigned char* bytes, std::size_t size, const LoadOptions& options,
                        OwnModel& out);

}  // namespace gs
