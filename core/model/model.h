// A recurrent model: one cell kind, its sizes and its parameters, plus initialization.
#pragma once
#include "cells/cell_info.h"  // gate_count, has_cell_state: the cell's row
#include "model/config.h"
#include "model/params.h"
#include "model/rng.h"

namespace gs {

template <class T>
struct ModelT {
  CellKind cell = CellKind::RnnTanh;
  int input_size = 0;   // I
  int hidden_size = 0;  // H, the rows of h (the LRU's N complex units: 2 N)
  int output_size = 0;  // O
  ParamsT<T> params;
};
using Model = ModelT<double>;

// A model with parameters drawn as `config` says (init, scale, radius, forget_bias, chrono; the
// LRU: r_min, r_max, max_phase, and hidden_size = 2 hidden, its complex units' reals).
// Drawn in double whatever the precision, so that a seed gives the same model in both (rounded
// for f32).
Model make_model(CellKind cell, int input_size, int hidden_size, int output_size,
                 const Config& config, Rng& rng);

// The same model in another precision.
template <class To, class From>
ModelT<To> model_cast(const ModelT<From>& from) {
  ModelT<To> to;
  to.cell = from.cell;
  to.input_size = from.input_size;
  to.hidden_size = from.hidden_size;
  to.output_size = from.output_size;
  to.params = params_cast<To>(from.params);
  return to;
}

}  // namespace gs
