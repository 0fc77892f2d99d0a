#include "bptt/saturation.h"

#include <algorithm>
#include <cmath>

namespace gs {

double quantile_of_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  const double position = p * (sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

namespace {

// What a series is computed from: a function of the step's cached values, unit by unit.
enum Kind { kValue, kOneMinus, kOneMinusSquare, kDsigmoid, kDrelu, kOne, kOneMinusSquareAux,
            kModulus };

struct SeriesDef {
  const char* name;
  const char* meaning;
  int block;  // the gate block (row block of fwd.gates / fwd.aux, or h for the RNNs) it reads
  Kind kind;  // see value_of
};

std::vector<SeriesDef> series_of(CellKind cell) {
  switch (cell_info(cell).family) {
    case CellFamily::Rnn:
      switch (cell_info(cell).activation) {
        case Activation::Tanh: return {{"dtanh", "tanh'(a_t) = 1 - h_t^2", 0, kOneMinusSquare}};
        case Activation::Sigmoid:
          return {{"dsigmoid", "sigmoid'(a_t) = h_t (1 - h_t), at most 1/4", 0, kDsigmoid}};
        case Activation::Relu:
          return {{"drelu", "relu'(a_t): 1 if h_t > 0, else 0", 0, kDrelu}};
        case Activation::Identity:
        case Activation::None: return {{"didentity", "identity' = 1", 0, kOne}};
      }
      break;
    case CellFamily::Lstm:
      return {{"i", "input gate i_t", 0, kValue},
              {"f", "forget gate f_t: scales the cell path dL/dc_{t-1} = f_t dL/dc_t", 1, kValue},
              {"o", "output gate o_t", 3, kValue},
              {"dtanh_g", "candidate's tanh'(a_g) = 1 - g_t^2", 2, kOneMinusSquare},
              {"dtanh_c", "tanh'(c_t) = 1 - tanh(c_t)^2, on the way from c_t to h_t", 0,
               kOneMinusSquareAux}};
    case CellFamily::Gru:
      return {{"r", "reset gate r_t", 0, kValue},
              {"z", "update gate z_t: scales the keep path dL/dh_{t-1} = z_t dL/dh_t", 1, kValue},
              {"dtanh_n", "candidate's tanh' = 1 - n_t^2", 2, kOneMinusSquare}};
    case CellFamily::MinGru:
      return {{"z", "update gate z_t: the step keeps 1 - z_t, dL/dh_{t-1} = (1 - z_t) dL/dh_t", 1,
               kValue},
              {"1-z", "what the step keeps, 1 - z_t: the whole step Jacobian", 1, kOneMinus}};
    case CellFamily::MinLstm:
      return {{"f'", "normalized forget gate f'_t = f/(f+i): dL/dh_{t-1} = f'_t dL/dh_t", 1, kValue},
              {"i'", "normalized input gate i'_t = i/(f+i) = 1 - f'_t", 2, kValue}};
    case CellFamily::Lru:
      return {{"|lambda|",
               "|lambda_j|, what each step keeps of unit j's gradient: the whole step, the same "
               "at every step",
               0, kModulus}};
  }
  return {};
}

double value_of(Kind kind, double x) {
  switch (kind) {
    case kOneMinusSquare:
    case kOneMinusSquareAux: return 1 - x * x;
    case kDsigmoid: return x * (1 - x);
    case kDrelu: return x > 0 ? 1.0 : 0.0;
    case kOne: return 1.0;
    case kOneMinus: return 1 - x;
    case kModulus:
    case kValue: return x;
  }
  return x;  // unreachable: every kind is listed above
}

}  // namespace

template <class T>
Saturation saturation_of(CellKind cell, const ForwardPass<T>& fwd, int column) {
  Saturation out;
  const int T_ = fwd.length, B = fwd.batch, H = static_cast<int>(fwd.h.rows());
  const bool rnn = cell_info(cell).family == CellFamily::Rnn;
  out.overflow_step = fwd.overflow_step;
  std::vector<double> values(H);
  const Eigen::ArrayXd moduli = has_complex_state(cell) ? lru_moduli(fwd) : Eigen::ArrayXd();
  for (const SeriesDef& def : series_of(cell)) {
    SaturationSeries s;
    s.name = def.name;
    s.meaning = def.meaning;
    for (auto* v : {&s.mean, &s.q25, &s.median, &s.q75}) v->assign(T_, std::nan(""));
    for (int t = 1; t <= T_; ++t) {
      if (fwd.overflow_step > 0 && t >= fwd.overflow_step) break;  // stays NaN: overflow
      const int col = (t - 1) * B + column;
      for (int j = 0; j < H; ++j) {
        double x;
        if (rnn) x = fwd.h(j, col + B);  // h_t
        else if (def.kind == kOneMinusSquareAux) x = fwd.aux(j, col);  // tanh(c_t)
        else if (def.kind == kModulus)  // the LRU's |lambda| of unit j mod N, Re and Im rows alike
          x = moduli(j % moduli.size());
        else x = fwd.gates(def.block * H + j, col);
        values[j] = value_of(def.kind, x);
      }
      double sum = 0;
      for (double x : values) sum += x;
      std::sort(values.begin(), values.end());
      s.mean[t - 1] = sum / H;
      s.q25[t - 1] = quantile_of_sorted(values, 0.25);
      s.median[t - 1] = quantile_of_sorted(values, 0.5);
      s.q75[t - 1] = quantile_of_sorted(values, 0.75);
      if (cell_info(cell).activation == Activation::Relu) {
        if (out.dead_share.empty()) out.dead_share.assign(T_, std::nan(""));
        const auto off = std::count(values.begin(), values.end(), 0.0);  // relu' = 0: h = 0
        out.dead_share[t - 1] = static_cast<double>(off) / H;
      }
    }
    out.series.push_back(std::move(s));
  }
  if (cell_info(cell).activation == Activation::Relu && out.dead_share.empty()) out.dead_share.assign(T_, std::nan(""));
  return out;
}

Saturation probe_saturation(const Probe& probe) {
  return with_lane(probe, [&](const auto& lane) { return saturation_of(probe.model.cell, lane.fwd); });
}

template Saturation saturation_of<float>(CellKind, const ForwardPass<float>&, int);
template Saturation saturation_of<double>(CellKind, const ForwardPass<double>&, int);

}  // namespace gs
