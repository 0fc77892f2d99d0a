// The number types. The core runs in float64 (the reference: compared with PyTorch's float64 and
// with finite differences) or in float32 (twice the SIMD width, half the memory traffic: the fast
// path for training). Everything that computes is a template on the scalar T, instantiated for
// both; what is stored for people to read (curves, losses, exports) is double either way.
#pragma once
#include <Eigen/Core>

namespace gs {

template <class T>
using MatT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;  // column-major; batch = columns
template <class T>
using VecT = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Views into column blocks of the sequence buffers, passed to the per-step functions.
template <class T>
using MatRef = Eigen::Ref<MatT<T>>;
template <class T>
using ConstMatRef = Eigen::Ref<const MatT<T>>;

using real = double;  // the reference precision, and the type of every stored result
using Mat = MatT<double>;
using Vec = VecT<double>;

}  // namespace gs
