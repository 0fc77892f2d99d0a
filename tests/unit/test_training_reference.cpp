// Training against PyTorch: every fixture in tests/reference/fixtures/training holds PyTorch's
// trajectory (torch.nn, torch.optim.Adam or SGD with momentum, clip_grad_norm_, float64) for a
// gradscope run of 100 iterations, written by tests/reference/make_training_fixtures.py. Here
// gradscope trains again from the fixture's config, and every iteration's loss, gradient norm
// (before clipping) and clipped and skipped flags, and the final weights, must agree with
// PyTorch's to 1e-9 relative. The fixture also pins what the config draws (the initial weights
// and each minibatch's sum), so that a changed random stream is reported as such.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fixture_files.h"
#include "training/train.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kRelTol = 1e-9;

double relative(double a, double b) { return a == b ? 0 : std::abs(a - b) / std::abs(b); }

// max |tensor - expected| / max |expected| over one tensor; `expected` is PyTorch's row-major
// nested list (a flat list for a vector).
template <class Derived>
double tensor_relative(const Eigen::MatrixBase<Derived>& tensor, const json& expected) {
  double diff = 0, scale = 0;
  for (Eigen::Index r = 0; r < tensor.rows(); ++r)
    for (Eigen::Index c = 0; c < tensor.cols(); ++c) {
      const double b =
          expected[r].is_array() ? expected[r][c].get<double>() : expected[r].get<double>();
      diff = std::max(diff, std::abs(tensor(r, c) - b));
      scale = std::max(scale, std::abs(b));
    }
  return scale > 0 ? diff / scale : diff;
}

double batch_sum(const gs::Batch& batch) {
  double sum = 0;
  for (const gs::Mat& x : batch.inputs) sum += x.sum();
  for (const gs::Mat& y : batch.targets) sum += y.sum();
  return sum;
}

void check_fixture(const fs::path& path) {
  const json fx = gs_test::read_json(path);
  const json& ex = fx["expected"];
  gs::Config config;
  REQUIRE(gs::parse_config(config, fx["config"].get<std::string>()) == "");
  REQUIRE(config.precision == gs::Precision::F64);
  REQUIRE(config.cells.size() == 1);
  gs::Trainer trainer = gs::make_trainer(config.cells[0], config);
  const int iterations = static_cast<int>(ex["loss"].size());
  REQUIRE(iterations >= 100);

  // The same model and the same data as when the fixture was written.
  gs::trained_model(trainer).params.visit([&](const char* name, const auto& tensor) {
    if (!fx["initial_weights"].contains(name)) {  // the LRU's tensors, empty for these cells
      CHECK(tensor.size() == 0);
      return;
    }
    CHECK_MESSAGE(tensor_relative(tensor, fx["initial_weights"][name]) == 0,
                  name << ": the config no longer draws the initial weights PyTorch trained "
                          "from; regenerate with tests/reference/make_training_fixtures.py");
  });

  double worst_loss = 0, worst_norm = 0;
  int worst_loss_at = 0, worst_norm_at = 0, clipped = 0;
  for (int i = 0; i < iterations; ++i) {
    gs::train_iterations(trainer, i + 1);
    REQUIRE(static_cast<int>(trainer.history.size()) == i + 1);
    const gs::TrainRecord& r = trainer.history[i];
    REQUIRE_MESSAGE(relative(batch_sum(trainer.batch), fx["batch_sums"][i]) <= 1e-12,
                    "iteration " << i + 1
                                 << ": the config no longer draws the minibatch "
                                    "PyTorch trained on; regenerate the fixtures");
    const double loss = relative(r.loss, ex["loss"][i]);
    const double norm = relative(r.grad_norm, ex["grad_norm"][i]);
    if (!(loss <= worst_loss)) worst_loss = loss, worst_loss_at = i + 1;
    if (!(norm <= worst_norm)) worst_norm = norm, worst_norm_at = i + 1;
    // A norm at the threshold (within the tolerance) may fall either side of it.
    const double threshold = config.clip - 1e-6;  // clip_grad_norm_ acts above clip - 1e-6
    if (relative(r.grad_norm, threshold) > kRelTol)
      CHECK_MESSAGE(r.clipped == ex["clipped"][i].get<bool>(), "iteration " << i + 1);
    CHECK_MESSAGE(r.skipped == ex["skipped"][i].get<bool>(), "iteration " << i + 1);
    clipped += r.clipped;
  }
  double worst_weights = 0;
  std::string worst_tensor;
  gs::trained_model(trainer).params.visit([&](const char* name, const auto& tensor) {
    if (!ex["final_weights"].contains(name)) return;  // checked empty above
    const double diff = tensor_relative(tensor, ex["final_weights"][name]);
    if (!(diff <= worst_weights)) worst_weights = diff, worst_tensor = name;
  });

  MESSAGE(fx["name"].get<std::string>()
          << ": " << iterations << " iterations, " << clipped
          << " clipped; worst relative difference to PyTorch: loss " << worst_loss << " (iteration "
          << worst_loss_at << "), grad norm " << worst_norm << " (iteration " << worst_norm_at
          << "), final weights " << worst_weights << " (" << worst_tensor << ")");
  CHECK(worst_loss <= kRelTol);
  CHECK(worst_norm <= kRelTol);
  CHECK(worst_weights <= kRelTol);
  CHECK(clipped > 0);  // clipping acted, and PyTorch's clip_grad_norm_ agreed on when
  CHECK(clipped < iterations);
}

void check_cell(const std::string& cell) {
  const std::vector<fs::path> fixtures =
      gs_test::json_files("tests/reference/fixtures/training", cell + "_");
  REQUIRE_MESSAGE(fixtures.size() >= 2, "training fixtures for " << cell
                                                                 << " missing: run "
                                                                    "make_training_fixtures.py");
  bool adam = false, sgd = false;
  for (const fs::path& path : fixtures) {
    adam |= path.filename().string().find("_adam_") != std::string::npos;
    sgd |= path.filename().string().find("_sgd_") != std::string::npos;
    SUBCASE(path.stem().string().c_str()) { check_fixture(path); }
  }
  CHECK(adam);
  CHECK(sgd);
}

}  // namespace

TEST_CASE("training against pytorch: rnn-tanh") { check_cell("rnn-tanh"); }
TEST_CASE("training against pytorch: rnn-relu") { check_cell("rnn-relu"); }
TEST_CASE("training against pytorch: rnn-sigmoid") { check_cell("rnn-sigmoid"); }
TEST_CASE("training against pytorch: rnn-identity") { check_cell("rnn-identity"); }
TEST_CASE("training against pytorch: lstm") { check_cell("lstm"); }
TEST_CASE("training against pytorch: gru") { check_cell("gru"); }
