// The LRU's tensors under the names its reference code gives them (Orvieto et al. 2023's minimal
// LRU: nu_log, theta_log, gamma_log [N]; B_re, B_im [N, I]; C_re, C_im [O, N]; D [O, I]), to and
// from ParamsT's layout (params.h: weight_ih = [B_re; B_im], weight_out = [C_re, -C_im], skip =
// D). Files, exports, fixtures and the page's downloads all go through these two functions.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "model/params.h"

namespace gs {

template <class T>
struct LruTensor {
  std::string name;
  MatT<T> value;  // a vector is one column
  bool is_vector;
};

// The eight tensors in the reference's names and order.
template <class T>
std::vector<LruTensor<T>> lru_file_tensors(const ParamsT<T>& p) {
  const Eigen::Index N = p.nu_log.size();
  return {{"nu_log", p.nu_log, true},
          {"theta_log", p.theta_log, true},
          {"gamma_log", p.gamma_log, true},
          {"B_re", p.weight_ih.topRows(N), false},
          {"B_im", p.weight_ih.bottomRows(N), false},
          {"C_re", p.weight_out.leftCols(N), false},
          {"C_im", -p.weight_out.rightCols(N), false},
          {"D", p.skip, false}};
}

// ParamsT from the eight tensors, `tensor(name)` giving each (shapes as above, checked by the
// caller); every other tensor is empty: no W_hh, no biases.
template <class T, class Get>
ParamsT<T> lru_params_from(Get&& tensor) {
  ParamsT<T> p;
  p.nu_log = tensor("nu_log").col(0);
  p.theta_log = tensor("theta_log").col(0);
  p.gamma_log = tensor("gamma_log").col(0);
  const MatT<T> b_re = tensor("B_re"), b_im = tensor("B_im");
  p.weight_ih.resize(2 * b_re.rows(), b_re.cols());
  p.weight_ih << b_re, b_im;
  const MatT<T> c_re = tensor("C_re"), c_im = tensor("C_im");
  p.weight_out.resize(c_re.rows(), 2 * c_re.cols());
  p.weight_out << c_re, -c_im;
  p.skip = tensor("D");
  p.weight_hh.resize(0, 2 * b_re.rows());
  return p;
}

}  // namespace gs
