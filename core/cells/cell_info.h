// A cell kind is one row of kCellRows: its names, its state, its gates, the shape of its step
// Jacobian, which keys mean something for it, and its colour. Code outside a cell's equations
// file asks the row (cell_info) instead of testing for a kind, so that a new cell is its
// equations, its row and its tests; what must still branch on how a cell computes switches over
// its family or its activation, and -Werror=switch names every place a new family must reach.
#pragma once
#include <cstdint>
#include <string>

#include "model/config.h"

namespace gs {

// Which equations compute the cell (cells/<family>_cell.cpp).
enum class CellFamily { Rnn, Lstm, Gru, MinGru, MinLstm, Lru };
// The RNN's h_t = act(W_ih x_t + b + W_hh h_{t-1}); None for the gated cells.
enum class Activation { Tanh, Relu, Sigmoid, Identity, None };
// J_t = dh_t/dh_{t-1}: a dense H x H matrix (W_hh in it), a diagonal one, or a complex diagonal
// one, a 2 x 2 rotation and scaling per complex unit (the LRU). The last two have no W_hh:
// weight_hh and bias_hh are empty, 0 x H and 0.
enum class JacobianShape { Dense, Diagonal, ComplexDiagonal };

struct CellInfo {
  CellKind kind;
  const char* name;   // in the configuration, the URL hash and the CLI: "rnn-tanh"
  const char* label;  // in the page's legends and titles: "RNN-tanh"
  const char* a_label;  // in sentences, with its article: "an RNN-tanh"
  CellFamily family;
  Activation activation;
  // The state the recurrence carries: h, or (h, c) for the LSTM. The LRU's h is complex, kept as
  // 2 H reals [Re h; Im h]: its model's hidden_size (the rows of h) is twice the hidden key.
  bool cell_state;
  // Gate blocks stacked in PyTorch's weight_ih_l{k} [G H, I], weight_hh_l{k} [G H, H],
  // bias_ih_l{k} and bias_hh_l{k} [G H], in PyTorch's order (names, space-separated).
  int gates;
  const char* gate_names;
  // The gate that keeps the state, as a block index (-1: none) and its name, and the path it
  // opens, as the CLI's columns name it: the LSTM's f on c ("forget_path"), the GRU's z on h.
  // The forward pass caches the gate's value there (the minLSTM's normalized f'); the factor that
  // keeps the state is that value, or 1 minus it where keep_is_complement (the minGRU's 1 - z).
  // The LRU has no gate (-1) but a keep factor all the same, |lambda| (lru_cell.cpp).
  int keep_gate;
  const char* keep_gate_name;
  const char* keep_path;
  bool keep_is_complement;
  const char* keep_factor_name;  // what the keep path multiplies by, as the Gates view names it
  // The block whose W_hh rows the candidate reads: W_hh for an RNN, W_g (LSTM) or W_n (GRU). Its
  // largest singular value is what the probe summary and Why report as sigma_max(W_hh).
  int candidate_block;
  // Pascanu et al.'s gamma: the largest value act' takes (1/4 for the sigmoid). 1 for the gated
  // cells, where no single activation bounds the step.
  double derivative_bound;
  JacobianShape jacobian;
  // Which keys change the cell's drawn model beyond init (every cell but the LRU uses it, which
  // is drawn on its ring: r_min, r_max, max_phase): scale and radius act on W_hh, so only on a
  // dense cell (and scale on the LRU's memory: scale_applies).
  bool forget_bias_applies;  // the LSTM's forget-gate bias
  bool chrono_applies;       // chrono initialization (model/chrono.h)
  // Where a file keeps W_ih and b_ih: nullptr for torch.nn.RNN / LSTM / GRU's weight_ih_l0 and
  // bias_ih_l0 (beside weight_hh_l0 and bias_hh_l0), else the torch.nn.Linear of the reference
  // implementation that holds them, as <input_linear>.weight [G H, I] and .bias [G H].
  const char* input_linear;
  uint32_t color;            // 0xRRGGBB in every view (Okabe-Ito: told apart by colour-blind eyes)
};

// Every cell kind, in CellKind's order.
inline constexpr CellInfo kCellRows[] = {
    {CellKind::RnnTanh, "rnn-tanh", "RNN-tanh", "an RNN-tanh", CellFamily::Rnn, Activation::Tanh, false, 1, "a",
     -1, nullptr, nullptr, false, nullptr, 0, 1.0, JacobianShape::Dense, false, false, nullptr, 0xE69F00},  // orange
    {CellKind::RnnRelu, "rnn-relu", "RNN-ReLU", "an RNN-ReLU", CellFamily::Rnn, Activation::Relu, false, 1, "a",
     -1, nullptr, nullptr, false, nullptr, 0, 1.0, JacobianShape::Dense, false, false, nullptr, 0xCC79A7},  // purple
    {CellKind::RnnSigmoid, "rnn-sigmoid", "RNN-sigmoid", "an RNN-sigmoid", CellFamily::Rnn, Activation::Sigmoid,
     false, 1, "a", -1, nullptr, nullptr, false, nullptr, 0, 0.25, JacobianShape::Dense, false, false, nullptr,
     0xF0E442},  // yellow
    {CellKind::RnnIdentity, "rnn-identity", "RNN-identity", "an RNN-identity", CellFamily::Rnn, Activation::Identity,
     false, 1, "a", -1, nullptr, nullptr, false, nullptr, 0, 1.0, JacobianShape::Dense, false, false, nullptr,
     0xBEBEBE},  // grey
    {CellKind::Lstm, "lstm", "LSTM", "an LSTM", CellFamily::Lstm, Activation::None, true, 4, "i f g o", 1,
     "f", "forget_path", false, "f", 2, 1.0, JacobianShape::Dense, true, true, nullptr, 0x009E73},  // bluish green
    {CellKind::Gru, "gru", "GRU", "a GRU", CellFamily::Gru, Activation::None, false, 3, "r z n", 1, "z",
     "update_path", false, "z", 2, 1.0, JacobianShape::Dense, false, true, nullptr, 0x56B4E9},  // sky blue
    {CellKind::MinGru, "mingru", "minGRU", "a minGRU", CellFamily::MinGru, Activation::None, false, 2, "h z",
     1, "z", "update_path", true, "1-z", 0, 1.0, JacobianShape::Diagonal, false, false,
     "to_hidden_and_gate", 0x0072B2},  // blue
    {CellKind::MinLstm, "minlstm", "minLSTM", "a minLSTM", CellFamily::MinLstm, Activation::None, false, 3,
     "h f i", 1, "f", "forget_path", false, "f'", 0, 1.0, JacobianShape::Diagonal, false, false,
     "to_hidden_and_f_i_gate", 0xD55E00},  // vermillion
    {CellKind::Lru, "lru", "LRU", "an LRU", CellFamily::Lru, Activation::None, false, 1, "u", -1,
     nullptr, "lambda_path", false, "|lambda|", 0, 1.0, JacobianShape::ComplexDiagonal, false, false,
     nullptr, 0xFFFFFF},  // white
};
inline constexpr int kCellKinds = static_cast<int>(sizeof kCellRows / sizeof kCellRows[0]);

constexpr bool rows_in_kind_order() {
  for (int i = 0; i < kCellKinds; ++i)
    if (static_cast<int>(kCellRows[i].kind) != i) return false;
  return true;
}
static_assert(rows_in_kind_order() && kCellKinds == static_cast<int>(CellKind::Lru) + 1,
              "kCellRows lists every CellKind once, in order (the last kind is named here)");

inline const CellInfo& cell_info(CellKind cell) { return kCellRows[static_cast<int>(cell)]; }

// The row's facts that most code asks for, by their usual names.
inline int gate_count(CellKind cell) { return cell_info(cell).gates; }
inline bool has_cell_state(CellKind cell) { return cell_info(cell).cell_state; }
inline int keep_gate_block(CellKind cell) { return cell_info(cell).keep_gate; }
inline double activation_derivative_bound(CellKind cell) {
  return cell_info(cell).derivative_bound;
}
// The rows of h for `hidden` units: 2 hidden for the LRU's complex state, else hidden.
inline bool has_complex_state(CellKind cell) {
  return cell_info(cell).jacobian == JacobianShape::ComplexDiagonal;
}
inline int h_rows(CellKind cell, int hidden) { return has_complex_state(cell) ? 2 * hidden : hidden; }
// Whether the cell has a W_hh (a dense step Jacobian); the blocks of W_hh it stacks (0 if none).
inline bool has_recurrent_weights(CellKind cell) {
  return cell_info(cell).jacobian == JacobianShape::Dense;
}
inline int recurrent_blocks(CellKind cell) { return has_recurrent_weights(cell) ? gate_count(cell) : 0; }
// Whether the scale key (and so the trainability map's rows) changes the cell: it multiplies
// W_hh, and the LRU's memory, |lambda_j| -> |lambda_j|^(1/scale); the minGRU and minLSTM have
// nothing for it to act on.
inline bool scale_applies(CellKind cell) {
  return has_recurrent_weights(cell) || has_complex_state(cell);
}

// The name a file gives one of ParamsT's recurrent tensors (params.h's visit names:
// "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0") for this cell: the same, or
// <input_linear>.weight and .bias; "" for a tensor the cell does not have (the LRU's own, which
// io/lru_tensors.h names, for every other cell). Other names (the readout's) are kept.
inline std::string file_tensor_name(CellKind cell, const std::string& name) {
  if (name == "nu_log" || name == "theta_log" || name == "gamma_log" || name == "D") return "";
  const char* linear = cell_info(cell).input_linear;
  if (!linear) return name;
  if (name == "weight_ih_l0") return std::string(linear) + ".weight";
  if (name == "bias_ih_l0") return std::string(linear) + ".bias";
  if (name == "weight_hh_l0" || name == "bias_hh_l0") return "";
  return name;
}

}  // namespace gs
