// Every cell kind, for tests that check each one.
#pragma once
#include "model/config.h"

namespace gs {

inline constexpr CellKind kAllCells[] = {CellKind::RnnTanh,     CellKind::RnnRelu,
                                         CellKind::RnnSigmoid,  CellKind::RnnIdentity,
                                         CellKind::Lstm,        CellKind::Gru};

}  // namespace gs
