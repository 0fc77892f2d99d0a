// How a cell looks in every view: its row's colour and label (core/cells/cell_info.h), the same in
// the line plots, the heatmap titles, the training curves and the legend.
#pragma once
#include "cells/cell_info.h"
#include "imgui.h"

inline ImU32 cell_color(gs::CellKind cell) {
  const uint32_t rgb = gs::cell_info(cell).color;
  return IM_COL32(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF, 255);
}

inline const char* cell_label(gs::CellKind cell) { return gs::cell_info(cell).label; }
