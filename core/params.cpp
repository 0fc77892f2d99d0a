#include "params.h"

#include <cmath>

namespace gs {

Params zeros_like(const Params& like) {
  Params zeros = like;
  zeros.visit([](const char*, auto& tensor) { tensor.setZero(); });
  return zeros;
}

long count_scalars(const Params& params) {
  long count = 0;
  params.visit([&](const char*, const auto& tensor) { count += tensor.size(); });
  return count;
}

real global_norm(const Params& params) {
  real sum_of_squares = 0;
  params.visit([&](const char*, const auto& tensor) { sum_of_squares += tensor.squaredNorm(); });
  return std::sqrt(sum_of_squares);
}

}  // namespace gs
