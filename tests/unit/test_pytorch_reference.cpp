// Core against PyTorch: every fixture in tests/reference/fixtures (written by
// tests/reference/make_fixtures.py with torch in float64) is replayed through gs::forward and
// gs::backward, and the loss, every h_t, every parameter gradient and every total state gradient
// dL/dh_t (LSTM also dL/dc_t) must agree. The long (T = 1000) fixtures also check the per-step
// log10 ||dL/dh_t||, both from the plain backward pass and from the renormalized decay curve.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "bptt/decay.h"
#include "fixture_files.h"
#include "bptt/sequence.h"
#include "io/lru_tensors.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kAbsTol = 1e-9, kRelTol = 1e-7;  // |a - b| <= kAbsTol + kRelTol |b|
constexpr double kLog10Tol = 1e-6;                // log10 norms of the long sequences

// JSON (PyTorch's row-major nested lists) to Eigen. A 2-D [rows][cols] list becomes the same
// (rows, cols) matrix; a 1-D list becomes a column. `batch_major` is for [B][features] arrays,
// which core holds as (features, B): batch = columns.
gs::Mat to_mat(const json& j, bool batch_major = false) {
  const bool flat = !j.empty() && !j[0].is_array();
  const auto rows = static_cast<Eigen::Index>(j.size());
  const auto cols = static_cast<Eigen::Index>(flat ? 1 : j.empty() ? 0 : j[0].size());
  gs::Mat m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      m(r, c) = flat ? j[r].get<double>() : j[r][c].get<double>();
  if (batch_major) m.transposeInPlace();
  return m;
}

// Full precision for printing: neighbours that differ in the 8th digit must look different.
std::string num(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

// ||v||_2 without squaring (Eigen's norm() underflows below ~1e-154; these go to ~1e-205).
double log10_norm(const gs::Mat& v) { return std::log10(v.stableNorm()); }

// The worst disagreement seen in one fixture: as a multiple of the tolerance (<= 1 passes),
// and the largest absolute and relative differences.
struct Worst {
  double ratio = -1, abs_err = 0, actual = 0, expected = 0;  // at the worst ratio
  std::string where;
  int failures = 0;
  double max_abs = 0, max_rel = 0;

  void add(const std::string& what, double a, double b, double tolerance) {
    const double err = std::abs(a - b), r = err / tolerance;
    if (!(r <= 1)) ++failures;  // NaN counts as a failure
    max_abs = std::max(max_abs, err);
    if (b != 0) max_rel = std::max(max_rel, err / std::abs(b));
    if (!(r <= ratio))
      std::tie(ratio, abs_err, actual, expected, where) = std::tie(r, err, a, b, what);
  }
  void add(const std::string& what, const gs::Mat& actual, const gs::Mat& expected) {
    if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
      FAIL_CHECK(what << ": shape " << actual.rows() << "x" << actual.cols() << ", expected "
                      << expected.rows() << "x" << expected.cols());
      return;
    }
    for (Eigen::Index c = 0; c < actual.cols(); ++c)
      for (Eigen::Index r = 0; r < actual.rows(); ++r) {
        std::ostringstream where;
        where << what << "(" << r << "," << c << ")";
        add(where.str(), actual(r, c), expected(r, c),
            kAbsTol + kRelTol * std::abs(expected(r, c)));
      }
  }
};

void check_fixture(const fs::path& path) {
  const json fx = gs_test::read_json(path);
  const json& ex = fx["expected"];

  gs::Model model;
  REQUIRE(gs::parse_cell_name(fx["cell"].get<std::string>(), model.cell));
  model.input_size = fx["input_size"];
  model.hidden_size = fx["hidden_size"];
  model.output_size = fx["output_size"];
  // in the file's names (cell_info.h's file_tensor_name); a tensor the cell lacks stays empty
  const int H = model.hidden_size;
  const bool lru = gs::has_complex_state(model.cell);  // its own names (io/lru_tensors.h)
  model.params.weight_hh = gs::Mat(0, H);
  model.params.bias_hh = gs::Vec(0);
  if (lru)
    model.params = gs::lru_params_from<double>(
        [&](const std::string& name) { return to_mat(fx["weights"][name]); });
  else
    model.params.visit([&](const char* name, auto& tensor) {
      const std::string file_name = gs::file_tensor_name(model.cell, name);
      if (!file_name.empty()) tensor = to_mat(fx["weights"][file_name]);
    });
  const bool lstm = gs::has_cell_state(model.cell);

  gs::Batch batch;
  batch.loss = fx["loss"] == "mse" ? gs::LossKind::Mse : gs::LossKind::CrossEntropy;
  for (const json& x : fx["inputs"]) batch.inputs.push_back(to_mat(x, true));
  for (const json& y : fx["targets"])
    batch.targets.push_back(y.is_null() ? gs::Mat() : to_mat(y, true));
  const gs::Mat h0 = to_mat(fx["h0"], true);
  const gs::Mat c0 = lstm ? to_mat(fx["c0"], true) : gs::Mat();
  const int T = batch.length();

  const gs::ForwardPass<double> fwd = gs::forward(model, batch, h0, c0);
  const gs::BackwardPass<double> bwd = gs::backward(model, fwd);

  Worst worst;
  const double loss = ex["loss"];
  worst.add("loss", fwd.loss, loss, kAbsTol + kRelTol * std::abs(loss));
  for (int t = 1; t <= T; ++t)
    worst.add("h_" + std::to_string(t), gs::Mat(fwd.h_at(t)), to_mat(ex["h"][t - 1], true));
  if (lru) {
    for (const auto& grad : gs::lru_file_tensors(bwd.grads))
      worst.add("d" + grad.name, grad.value, to_mat(ex["grads"][grad.name]));
    CHECK(ex["grads"].size() == 8);
  } else {
    bwd.grads.visit([&](const char* name, const auto& grad) {
      const std::string file_name = gs::file_tensor_name(model.cell, name);
      if (file_name.empty())
        CHECK(grad.size() == 0);
      else
        worst.add("d" + file_name, grad, to_mat(ex["grads"][file_name]));
    });
  }
  if (ex.contains("dh"))
    for (int t = 0; t <= T; ++t)
      worst.add("dh_" + std::to_string(t), gs::Mat(bwd.dh_at(t)), to_mat(ex["dh"][t], true));
  if (ex.contains("dc"))
    for (int t = 0; t <= T; ++t)
      worst.add("dc_" + std::to_string(t), gs::Mat(bwd.dc_at(t)), to_mat(ex["dc"][t], true));

  std::ostringstream log10_report;
  if (ex.contains("log10_grad_norm_h")) {
    const std::vector<double> expected = ex["log10_grad_norm_h"];
    // The decay curve of core (renormalized), seeded with dL/dh_T of the loss at step T.
    gs::DecayCurve curve;
    gs::DecayPass<double> pass;
    gs::begin_decay(model, fwd, gs::Mat(bwd.dh_at(T)), curve, pass);
    gs::decay_steps(model, fwd, curve, pass, T);
    Worst plain, decay;
    for (int t = 1; t <= T; ++t) {
      const std::string step = "_" + std::to_string(t);
      plain.add("log10|dh" + step + "|", log10_norm(bwd.dh_at(t)), expected[t - 1], kLog10Tol);
      decay.add("decay log10|dh" + step + "|", curve.log10_grad_h[t - 1], expected[t - 1],
                kLog10Tol);
    }
    log10_report << "; log10 norms: backward worst " << plain.abs_err << " at " << plain.where
                 << ", decay curve worst " << decay.abs_err << " at " << decay.where
                 << " (log10|dL/dh_1| = " << expected[0] << ")";
    CHECK_MESSAGE(plain.failures == 0, plain.failures << " log10 norms off, worst " << plain.where
                                                      << ": " << num(plain.actual) << " vs "
                                                      << num(plain.expected));
    CHECK_MESSAGE(decay.failures == 0, decay.failures << " log10 norms off, worst " << decay.where
                                                      << ": " << num(decay.actual) << " vs "
                                                      << num(decay.expected));
  }

  MESSAGE(fx["name"].get<std::string>()
          << ": max |diff| " << worst.max_abs << ", max rel " << worst.max_rel
          << "; nearest the tolerance " << worst.where << " at " << worst.ratio << " x tol (core "
          << worst.actual << ", torch " << worst.expected << ")" << log10_report.str());
  CHECK_MESSAGE(worst.failures == 0, worst.failures << " values off tolerance, worst "
                                                    << worst.where << ": core " << num(worst.actual)
                                                    << ", torch " << num(worst.expected));
}

// The fixtures whose name starts with `prefix` ("lstm_" for lstm_*.json), sorted by name.
std::vector<fs::path> fixtures_named(const std::string& prefix) {
  return gs_test::json_files("tests/reference/fixtures", prefix);
}

void check_cell(const std::string& cell) {
  const std::vector<fs::path> fixtures = fixtures_named(cell + "_");
  REQUIRE_MESSAGE(fixtures.size() >= 4,
                  "fixtures for " << cell << " missing: run make_fixtures.py");
  for (const fs::path& path : fixtures) {
    SUBCASE(path.stem().string().c_str()) { check_fixture(path); }
  }
}

const char* const kCells[] = {"rnn-tanh", "rnn-relu", "rnn-sigmoid", "rnn-identity", "lstm",
                              "gru",      "mingru",   "minlstm",     "lru"};

}  // namespace

TEST_CASE("pytorch reference: every fixture belongs to a cell checked below") {
  size_t by_cell = 0;
  for (const char* cell : kCells) by_cell += fixtures_named(cell + std::string("_")).size();
  CHECK(by_cell == fixtures_named("").size());
}

TEST_CASE("pytorch reference: rnn-tanh") { check_cell("rnn-tanh"); }
TEST_CASE("pytorch reference: rnn-relu") { check_cell("rnn-relu"); }
TEST_CASE("pytorch reference: rnn-sigmoid") { check_cell("rnn-sigmoid"); }
TEST_CASE("pytorch reference: rnn-identity") { check_cell("rnn-identity"); }
TEST_CASE("pytorch reference: lstm") { check_cell("lstm"); }
TEST_CASE("pytorch reference: gru") { check_cell("gru"); }
TEST_CASE("pytorch reference: mingru") { check_cell("mingru"); }
TEST_CASE("pytorch reference: minlstm") { check_cell("minlstm"); }
TEST_CASE("pytorch reference: lru") { check_cell("lru"); }
