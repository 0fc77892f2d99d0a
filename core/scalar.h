// The one place the number type is chosen. Double precision everywhere: the curves are compared
// with PyTorch's float64 and with finite differences, and the cost (about 2x over float) is small
// next to what a reader gains from numbers that need no error bars.
#pragma once
#include <Eigen/Core>

namespace gs {

using real = double;
using Mat = Eigen::Matrix<real, Eigen::Dynamic, Eigen::Dynamic>;  // column-major; batch = columns
using Vec = Eigen::Matrix<real, Eigen::Dynamic, 1>;

}  // namespace gs
