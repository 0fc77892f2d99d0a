// What the gradient tests share: every cell kind, and one problem (a model, a batch of sequences
// and the initial state) to differentiate.
#pragma once
#include "sequence.h"

namespace gs_test {

inline const gs::CellKind kAllCells[] = {gs::CellKind::RnnTanh,    gs::CellKind::RnnRelu,
                                         gs::CellKind::RnnSigmoid, gs::CellKind::RnnIdentity,
                                         gs::CellKind::Lstm,       gs::CellKind::Gru};

struct Problem {
  gs::Model model;
  gs::Batch batch;
  gs::Mat h0, c0;  // (H, B) initial state; c0 is read by the LSTM only
};

}  // namespace gs_test
