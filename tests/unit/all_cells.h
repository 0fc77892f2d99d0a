// Every cell kind, for tests that check each one: the kinds of cells/cell_info.h's rows.
#pragma once
#include <array>

#include "cells/cell_info.h"

namespace gs {

inline constexpr auto kAllCells = [] {
  std::array<CellKind, kCellKinds> kinds{};
  for (int i = 0; i < kCellKinds; ++i) kinds[i] = kCellRows[i].kind;
  return kinds;
}();

}  // namespace gs
