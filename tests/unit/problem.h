// What the gradient tests share: every cell kind, and one problem (a model, a batch of sequences
// and the initial state) to differentiate.
#pragma once
#include "all_cells.h"
#include "bptt/sequence.h"

namespace gs_test {

using gs::kAllCells;

struct Problem {
  gs::Model model;
  gs::Batch batch;
  gs::Mat h0, c0;  // (H, B) initial state; c0 is read by the LSTM only
};

}  // namespace gs_test
