#include "model/model.h"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <cmath>

#include "model/chrono.h"

namespace gs {

namespace {

// Every random draw goes through these, row by row, so the order (and so every number) is fixed
// by the code and not by Eigen's internals.
void fill_uniform(Eigen::Ref<Mat> m, real bound, Rng& rng) {
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = rng.uniform(-bound, bound);
}

void fill_normal(Eigen::Ref<Mat> m, real stddev, Rng& rng) {
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = stddev * rng.normal();
}

// A random orthogonal matrix: Q of the QR decomposition of a Gaussian matrix, with the signs of
// R's diagonal folded in so that Q is uniformly (Haar) distributed (as torch.nn.init.orthogonal_).
Mat random_orthogonal(int n, Rng& rng) {
  Mat gaussian(n, n);
  fill_normal(gaussian, 1.0, rng);
  Eigen::HouseholderQR<Mat> qr(gaussian);
  Mat q = qr.householderQ();
  const Mat r = qr.matrixQR().triangularView<Eigen::Upper>();
  for (int j = 0; j < n; ++j)
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  return q;
}

real spectral_radius(const Mat& square) {
  Eigen::EigenSolver<Mat> solver(square, /*computeEigenvectors=*/false);
  return solver.eigenvalues().cwiseAbs().maxCoeff();
}

}  // namespace

namespace {

// The LRU as Orvieto et al. draw it: N eigenvalues uniform in area on the ring
// r_min <= |lambda| <= r_max with phases uniform in [0, max_phase], then each unit's memory
// -1/ln|lambda| times `scale` (|lambda|^(1/scale): scale 1 is the ring itself), the input
// normalized by the ring's gamma = sqrt(1 - |lambda|^2) (so that a unit's stationary variance
// does not grow as |lambda| nears 1), B and C complex Gaussian scaled by 1/sqrt(2 I) and 1/sqrt(N), D Gaussian scaled by
// 1/sqrt(I) (the reference's D is a vector of N(0, 1) for I = O; here it maps I to O).
Model make_lru(int input_size, int units, int output_size, const Config& config, Rng& rng) {
  Model model;
  model.cell = CellKind::Lru;
  model.input_size = input_size;
  model.hidden_size = 2 * units;
  model.output_size = output_size;
  const int N = units, I = input_size, O = output_size;
  Params& p = model.params;
  p.nu_log = Vec(N);
  p.theta_log = Vec(N);
  p.gamma_log = Vec(N);
  const double r_min2 = config.r_min * config.r_min, r_max2 = config.r_max * config.r_max;
  for (int j = 0; j < N; ++j) {
    const double u1 = rng.uniform(), u2 = 1 - rng.uniform();  // u2 in (0, 1]: a finite log
    const double modulus2 = u1 * (r_max2 - r_min2) + r_min2;  // |lambda|^2, uniform in area
    // the scale divides ln|lambda| (nu_log - ln scale), and only it: gamma, B, C and D stay as
    // drawn, as the trainability map scales a model read from a file
    p.nu_log(j) = std::log(-0.5 * std::log(modulus2)) - std::log(config.scale);
    p.theta_log(j) = std::log(config.max_phase * u2);
    p.gamma_log(j) = 0.5 * std::log1p(-modulus2);
  }
  p.weight_ih = Mat(2 * N, I);  // [B_re; B_im]
  fill_normal(p.weight_ih, 1.0 / std::sqrt(2.0 * I), rng);
  p.weight_hh = Mat(0, 2 * N);
  p.bias_ih = p.bias_hh = p.bias_out = Vec(0);
  Mat c_re(O, N), c_im(O, N);
  fill_normal(c_re, 1.0 / std::sqrt(static_cast<double>(N)), rng);
  fill_normal(c_im, 1.0 / std::sqrt(static_cast<double>(N)), rng);
  p.weight_out = Mat(O, 2 * N);
  p.weight_out << c_re, -c_im;  // Re(C h) = C_re Re h - C_im Im h
  p.skip = Mat(O, I);
  fill_normal(p.skip, 1.0 / std::sqrt(static_cast<double>(I)), rng);
  return model;
}

}  // namespace

Model make_model(CellKind cell, int input_size, int hidden_size, int output_size,
                 const Config& config, Rng& rng) {
  if (cell_info(cell).family == CellFamily::Lru)
    return make_lru(input_size, hidden_size, output_size, config, rng);
  Model model;
  model.cell = cell;
  model.input_size = input_size;
  model.hidden_size = hidden_size;
  model.output_size = output_size;
  const int H = hidden_size, I = input_size, G = gate_count(cell), R = recurrent_blocks(cell);
  Params& p = model.params;
  p.weight_ih = Mat::Zero(G * H, I);
  p.weight_hh = Mat::Zero(R * H, H);  // 0 x H for a cell without W_hh
  p.bias_ih = Vec::Zero(G * H);
  p.bias_hh = Vec::Zero(R * H);

  // Recurrent layer, gate block by gate block (each block is H x I or H x H). For a cell without
  // W_hh, init says how W_ih is drawn; its uniform default is torch.nn.Linear's, whose bound is
  // 1/sqrt(fan_in) = 1/sqrt(I), as the reference minGRU and minLSTM draw to_hidden_and_gate.
  const real pytorch_bound = 1.0 / std::sqrt(static_cast<real>(H));
  const real ih_bound = R > 0 ? pytorch_bound : 1.0 / std::sqrt(static_cast<real>(I));
  switch (config.init) {
    case InitKind::Uniform:  // torch.nn.RNN/LSTM/GRU default: everything U(-1/sqrt(H), 1/sqrt(H))
      fill_uniform(p.weight_ih, ih_bound, rng);
      fill_uniform(p.weight_hh, pytorch_bound, rng);
      fill_uniform(p.bias_ih, ih_bound, rng);
      fill_uniform(p.bias_hh, pytorch_bound, rng);
      break;
    case InitKind::Xavier:  // Glorot & Bengio 2010: U(+-sqrt(6 / (fan_in + fan_out))) per block
      for (int g = 0; g < G; ++g) {
        fill_uniform(p.weight_ih.middleRows(g * H, H), std::sqrt(6.0 / (I + H)), rng);
        if (g < R) fill_uniform(p.weight_hh.middleRows(g * H, H), std::sqrt(6.0 / (H + H)), rng);
      }
      break;
    case InitKind::Orthogonal:  // Saxe et al. 2014: every singular value of each block is 1
      for (int g = 0; g < G; ++g) {
        fill_uniform(p.weight_ih.middleRows(g * H, H), std::sqrt(6.0 / (I + H)), rng);
        if (g < R) p.weight_hh.middleRows(g * H, H) = random_orthogonal(H, rng);
      }
      break;
    case InitKind::Identity:  // IRNN, Le et al. 2015: W_hh = I, W_ih ~ N(0, 0.001^2), b = 0
      for (int g = 0; g < G; ++g) {
        fill_normal(p.weight_ih.middleRows(g * H, H), 0.001, rng);
        if (g < R) p.weight_hh.middleRows(g * H, H).setIdentity();
      }
      break;
  }

  // Recurrent scale, then (if asked) each block rescaled to an exact spectral radius.
  p.weight_hh *= config.scale;
  if (config.radius > 0) {
    for (int g = 0; g < R; ++g) {
      const Mat block = p.weight_hh.middleRows(g * H, H);
      const real radius = spectral_radius(block);
      if (radius > 0) p.weight_hh.middleRows(g * H, H) = block * (config.radius / radius);
    }
  }

  // The LSTM's forget gate (its keep gate, f of i f g o): the bias sum b_if + b_hf is the setting.
  if (cell_info(cell).forget_bias_applies) {
    const int f = cell_info(cell).keep_gate * H;
    p.bias_ih.segment(f, H).setConstant(config.forget_bias);
    p.bias_hh.segment(f, H).setZero();
  }

  // Readout as torch.nn.Linear's default: U(-1/sqrt(H), 1/sqrt(H)) for weight and bias.
  p.weight_out = Mat(output_size, H);
  p.bias_out = Vec(output_size);
  fill_uniform(p.weight_out, pytorch_bound, rng);
  fill_uniform(p.bias_out, pytorch_bound, rng);

  // Chrono initialization of the gate biases (chrono.h) draws last, so that everything else is
  // the same model as without it.
  if (config.chrono > 0) apply_chrono_init(model, config.chrono, rng);
  return model;
}

}  // namespace gs
