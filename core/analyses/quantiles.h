// Quantiles of a few values (curves over seeds and sequences), in number_format.h's states: a
// NaN (overflow) makes every quantile NaN; -inf (exactly zero) sorts below every number.
#pragma once
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <vector>

namespace gs {

// The q-quantiles (0 <= q <= 1) of `values`, which it sorts, by linear interpolation between
// order statistics as numpy's default does: the median of 4 values is the mean of the middle two.
inline void quantiles(std::vector<double>& values, std::initializer_list<double> qs, double* out) {
  const bool overflow = std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
  if (!overflow) std::sort(values.begin(), values.end());
  for (double q : qs) {
    if (overflow || values.empty()) {
      *out++ = std::nan("");
      continue;
    }
    const double at = q * (values.size() - 1);
    const size_t below = static_cast<size_t>(std::floor(at));
    const size_t above = std::min(below + 1, values.size() - 1);
    const double weight = at - below;
    *out++ = weight == 0 || values[below] == values[above]  // also where both are -inf
                 ? values[below]
                 : values[below] + weight * (values[above] - values[below]);
  }
}

}  // namespace gs
