// How a cell looks in every view: one colour (Okabe-Ito, colour-blind safe) and one label, the
// same in the line plots, the heatmap titles, the training curves and the legend.
#pragma once
#include "model/config.h"
#include "imgui.h"

inline ImU32 cell_color(gs::CellKind cell) {
  switch (cell) {
    case gs::CellKind::RnnTanh: return IM_COL32(230, 159, 0, 255);        // orange
    case gs::CellKind::RnnRelu: return IM_COL32(204, 121, 167, 255);      // reddish purple
    case gs::CellKind::RnnSigmoid: return IM_COL32(240, 228, 66, 255);    // yellow
    case gs::CellKind::RnnIdentity: return IM_COL32(190, 190, 190, 255);  // grey
    case gs::CellKind::Lstm: return IM_COL32(0, 158, 115, 255);           // bluish green
    case gs::CellKind::Gru: return IM_COL32(86, 180, 233, 255);           // sky blue
  }
  return IM_COL32(255, 255, 255, 255);
}

inline const char* cell_label(gs::CellKind cell) {
  switch (cell) {
    case gs::CellKind::RnnTanh: return "RNN-tanh";
    case gs::CellKind::RnnRelu: return "RNN-ReLU";
    case gs::CellKind::RnnSigmoid: return "RNN-sigmoid";
    case gs::CellKind::RnnIdentity: return "RNN-identity";
    case gs::CellKind::Lstm: return "LSTM";
    case gs::CellKind::Gru: return "GRU";
  }
  return "?";
}
