// Chrono initialization (chrono.h): the biases land in the keeping gate's rows (LSTM f, GRU z),
// the LSTM input gate gets the opposite, the draws come last from the model's stream, and the
// values spread over log(U(1, T_max - 1)).
#include <doctest/doctest.h>

#include <cmath>

#include "model/model.h"

using namespace gs;

namespace {

Model chrono_model(CellKind cell, int hidden, int t_max) {
  Config config;
  config.chrono = t_max;
  Rng rng(model_seed(3));
  return make_model(cell, 2, hidden, 1, config, rng);
}

Model plain_model(CellKind cell, int hidden) { return chrono_model(cell, hidden, 0); }

}  // namespace

TEST_CASE("chrono: LSTM forget biases are log(U(1, T_max - 1)) and input biases their negatives") {
  const int H = 1024, t_max = 100;
  const Model chrono = chrono_model(CellKind::Lstm, H, t_max);
  const Model plain = plain_model(CellKind::Lstm, H);
  const Params &p = chrono.params, &q = plain.params;
  double sum_u = 0, min_u = 1e9, max_u = 0;
  for (int j = 0; j < H; ++j) {
    const double b_f = p.bias_ih(H + j);
    CHECK(b_f >= 0);
    CHECK(b_f < std::log(t_max - 1.0));
    CHECK(p.bias_hh(H + j) == 0);
    CHECK(p.bias_ih(j) == -b_f);  // input gate
    CHECK(p.bias_hh(j) == 0);
    const double u = std::exp(b_f);
    sum_u += u;
    min_u = std::min(min_u, u);
    max_u = std::max(max_u, u);
  }
  // u ~ U(1, 99): mean 50, standard error of the mean 28.3 / 32 = 0.9
  CHECK(sum_u / H == doctest::Approx(50).epsilon(0.06));
  CHECK(min_u < 2);
  CHECK(max_u > 98);
  // the g and o gates, every weight and the readout are those of the model without chrono
  CHECK(p.bias_ih.tail(2 * H) == q.bias_ih.tail(2 * H));
  CHECK(p.bias_hh.tail(2 * H) == q.bias_hh.tail(2 * H));
  CHECK(p.weight_ih == q.weight_ih);
  CHECK(p.weight_hh == q.weight_hh);
  CHECK(p.weight_out == q.weight_out);
  CHECK(p.bias_out == q.bias_out);
}

TEST_CASE("chrono: the GRU's update gate z (h' = (1 - z) n + z h) gets +log(U(1, T_max - 1))") {
  const int H = 512, t_max = 20;
  const Model chrono = chrono_model(CellKind::Gru, H, t_max);
  const Model plain = plain_model(CellKind::Gru, H);
  const Params &p = chrono.params, &q = plain.params;
  for (int j = 0; j < H; ++j) {
    CHECK(p.bias_ih(H + j) >= 0);
    CHECK(p.bias_ih(H + j) < std::log(t_max - 1.0));
    CHECK(p.bias_hh(H + j) == 0);
    // z = sigma(b_z) keeps the state: between 1/2 and 1 - 1/T_max at the start
    const double z = 1 / (1 + std::exp(-p.bias_ih(H + j)));
    CHECK(z >= 0.5);
    CHECK(z < 1 - 1.0 / t_max);
  }
  CHECK(p.bias_ih.head(H) == q.bias_ih.head(H));  // reset gate
  CHECK(p.bias_hh.head(H) == q.bias_hh.head(H));
  CHECK(p.bias_ih.tail(H) == q.bias_ih.tail(H));  // candidate
  CHECK(p.bias_hh.tail(H) == q.bias_hh.tail(H));
  CHECK(p.weight_hh == q.weight_hh);
}

TEST_CASE("chrono draws after every other weight, unit by unit, from the model's stream") {
  const int H = 8, t_max = 50;
  Config config;
  Rng rng(model_seed(3));
  make_model(CellKind::Lstm, 2, H, 1, config, rng);  // the same draws as without chrono...
  const Model chrono = chrono_model(CellKind::Lstm, H, t_max);
  for (int j = 0; j < H; ++j)  // ...then one uniform per unit
    CHECK(chrono.params.bias_ih(H + j) == std::log(rng.uniform(1.0, t_max - 1.0)));
  // vanilla RNNs have no gate: chrono changes nothing
  CHECK(chrono_model(CellKind::RnnTanh, H, t_max).params.bias_ih ==
        plain_model(CellKind::RnnTanh, H).params.bias_ih);
}
