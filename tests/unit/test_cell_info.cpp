// Each cell's row (cells/cell_info.h) says what the code does with the cell: its name parses back
// to it, its gate count is the model's, its keep gate is a gate the saturation view names, and the
// keys it says apply change its drawn model while the others do not.
#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bptt/saturation.h"
#include "bptt/sequence.h"
#include "cells/jacobian.h"
#include "cells/cell_info.h"
#include "model/model.h"
#include "training/tasks.h"

using namespace gs;

namespace {

Model drawn(CellKind cell, const std::string& keys) {
  Config config;
  REQUIRE(parse_config(config, keys) == "");
  Rng rng(7);
  return make_model(cell, 2, 6, 1, config, rng);
}

std::vector<std::string> words(const char* text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

TEST_CASE("every cell's row agrees with what the code does with the cell") {
  std::set<std::string> names, labels;
  std::set<uint32_t> colors;
  for (const CellInfo& row : kCellRows) {
    CAPTURE(row.name);
    CHECK(&cell_info(row.kind) == &row);
    CellKind parsed = CellKind::Gru;
    REQUIRE(parse_cell_name(row.name, parsed));
    CHECK(parsed == row.kind);
    CHECK(std::string(cell_name(row.kind)) == row.name);
    names.insert(row.name), labels.insert(row.label), colors.insert(row.color);
    CHECK(std::string(row.a_label).find(row.label) != std::string::npos);

    // gates: the model's stacked blocks, named one word each
    const Model model = drawn(row.kind, "");
    CHECK(model.params.weight_hh.rows() == recurrent_blocks(row.kind) * 6);
    CHECK(model.params.bias_hh.size() == recurrent_blocks(row.kind) * 6);
    CHECK((recurrent_blocks(row.kind) == 0) == (row.jacobian != JacobianShape::Dense));
    CHECK(model.hidden_size == h_rows(row.kind, 6));
    CHECK(model.params.weight_ih.rows() == row.gates * model.hidden_size);
    const std::vector<std::string> gates = words(row.gate_names);
    CHECK(static_cast<int>(gates.size()) == row.gates);
    CHECK(row.candidate_block >= 0);
    CHECK(row.candidate_block < row.gates);

    // the keep gate: a gate of the cell, the one the saturation view shows under its name
    if (row.keep_gate >= 0) {
      REQUIRE(row.keep_gate < row.gates);
      CHECK(gates[row.keep_gate] == row.keep_gate_name);
      REQUIRE(row.keep_path != nullptr);
      Config config;
      REQUIRE(parse_config(config, std::string("cell=") + row.name + "&length=5&hidden=6") == "");
      Rng rng(3);
      const Batch batch = make_batch(TaskKind::Adding, 5, 1, rng);
      const Model m = make_model(row.kind, static_cast<int>(batch.inputs[0].rows()), 6, 1, config, rng);
      const ForwardPass<double> fwd = forward(m, batch, Mat::Zero(6, 1), Mat::Zero(6, 1));
      bool named = false;
      const double gate = fwd.gates.col(0).segment(row.keep_gate * 6, 6).mean();
      REQUIRE(row.keep_factor_name != nullptr);
      const Saturation saturation = saturation_of(row.kind, fwd);
      for (const SaturationSeries& s : saturation.series)
        if (std::string(s.name) == row.keep_factor_name) {  // the texts: s.name is a char pointer
          named = true;
          CHECK(s.mean[0] == doctest::Approx(row.keep_is_complement ? 1 - gate : gate));
        }
      CHECK(named);
      // and it is the step's whole factor where the Jacobian is diagonal
      if (row.jacobian == JacobianShape::Diagonal) {
        StepJacobian jac;
        step_jacobian(row.kind, fwd, 1, jac);
        CHECK(jac.d_hh.mean() == doctest::Approx(row.keep_is_complement ? 1 - gate : gate));
      }
    } else if (has_complex_state(row.kind)) {
      // no gate, but a keep factor all the same: |lambda|, the size of the step's eigenvalues
      Config config;
      REQUIRE(parse_config(config, std::string("cell=") + row.name + "&length=5&hidden=3") == "");
      Rng rng(3);
      const Batch batch = make_batch(TaskKind::Adding, 5, 1, rng);
      const Model m = make_model(row.kind, static_cast<int>(batch.inputs[0].rows()), 3, 1, config, rng);
      const ForwardPass<double> fwd = forward(m, batch, Mat::Zero(6, 1), Mat());
      StepJacobian jac;
      step_jacobian(row.kind, fwd, 1, jac);
      const Eigen::ArrayXd modulus = (jac.d_hh.head(3).array().square() + jac.rotation.array().square()).sqrt();
      CHECK(modulus.isApprox((-m.params.nu_log.array().exp()).exp()));
      bool named = false;
      REQUIRE(row.keep_factor_name != nullptr);
      const Saturation saturation = saturation_of(row.kind, fwd);
      for (const SaturationSeries& s : saturation.series)
        if (std::string(s.name) == row.keep_factor_name) {
          named = true;
          CHECK(s.mean[0] == doctest::Approx(modulus.mean()));
        }
      CHECK(named);
    } else {
      CHECK(row.keep_gate_name == nullptr);
      CHECK(row.keep_path == nullptr);
      CHECK(row.keep_factor_name == nullptr);
    }
    const bool rnn = row.family == CellFamily::Rnn, activation = row.activation != Activation::None;
    CHECK(rnn == activation);

    // the keys it says apply change the drawn model; the others leave it as it was
    const auto same = [](const Model& a, const Model& b) {
      return a.params.bias_ih == b.params.bias_ih && a.params.bias_hh == b.params.bias_hh &&
             a.params.weight_hh == b.params.weight_hh && a.params.nu_log == b.params.nu_log &&
             a.params.theta_log == b.params.theta_log;
    };
    CHECK(same(drawn(row.kind, "forget_bias=3"), model) == !row.forget_bias_applies);
    CHECK(same(drawn(row.kind, "chrono=40"), model) == !row.chrono_applies);
    for (const char* ring : {"r_min=0.5", "r_max=0.99", "max_phase=3"})  // the LRU's draw alone
      CHECK(same(drawn(row.kind, ring), model) == !has_complex_state(row.kind));
    CHECK(same(drawn(row.kind, "scale=2"), model) == !scale_applies(row.kind));  // W_hh, or memory
  }
  CHECK(static_cast<int>(names.size()) == kCellKinds);
  CHECK(static_cast<int>(labels.size()) == kCellKinds);
  CHECK(static_cast<int>(colors.size()) == kCellKinds);
}
