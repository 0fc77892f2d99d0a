// The squashing functions of the cells over Eigen arrays, vectorized in both precisions.
//
// Eigen vectorizes tanh for float but calls the scalar libm tanh for double, which made it the
// largest single cost of a float64 LSTM or GRU step (and more so in WebAssembly). For double,
// tanh(x) = expm1(2x) / (expm1(2x) + 2), with expm1 from the vectorized exp and log by Kahan's
// trick (Eigen's generic_expm1), accurate to a few units in the last place: exp(2x) - 1 alone
// would lose every digit near 0, where tanh(x) ~ x. Beyond |x| = 20, tanh is +-1 in double.
#pragma once
#include <Eigen/Core>
#include <cmath>
#include <type_traits>

namespace gs {

struct AccurateTanhOp {
  double operator()(double x) const {
    if (std::isnan(x)) return x;
    const double e = std::expm1(2 * std::fmax(-20.0, std::fmin(20.0, x)));
    return e / (e + 2);
  }
  template <class Packet>
  Packet packetOp(const Packet& x) const {
    using namespace Eigen::internal;
    const Packet limit = pset1<Packet>(20.0), two = pset1<Packet>(2.0);
    const Packet e = generic_expm1(pmul(two, pmax(pnegate(limit), pmin(limit, x))));
    return pselect(pcmp_eq(x, x), pdiv(e, padd(e, two)), x);  // NaN stays NaN
  }
};

// tanh, elementwise: Eigen's own for float, AccurateTanhOp for double.
template <class Derived>
auto tanh_of(const Eigen::ArrayBase<Derived>& x) {
  if constexpr (std::is_same_v<typename Derived::Scalar, double>)
    return x.unaryExpr(AccurateTanhOp());
  else
    return x.tanh();
}

}  // namespace gs

namespace Eigen::internal {
template <>
struct functor_traits<gs::AccurateTanhOp> {
  enum {
    Cost = 4 * NumTraits<double>::MulCost + 2 * functor_traits<scalar_exp_op<double>>::Cost,
    PacketAccess = bool(packet_traits<double>::HasExp) && bool(packet_traits<double>::HasLog)
  };
};
}  // namespace Eigen::internal
