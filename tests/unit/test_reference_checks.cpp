// The CLI against the numbers PyTorch and numpy computed for the runs the README quotes
// (tests/reference/fixtures/checks, written by tests/reference/make_check_fixtures.py with
// check_spectrum.py's, check_cliff.py's and check_cli_export.py's code): each fixture's run is
// made again here and its numbers compared, within the fixture's tolerance.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.h"
#include "fixture_files.h"

using namespace gs_test;
using nlohmann::json;

namespace {

// A fixture's or an export's number: null is an exactly zero quantity (a log's -inf), a string
// ("overflow") is beyond range.
double number_of(const json& value) {
  if (value.is_null()) return -std::numeric_limits<double>::infinity();
  if (value.is_string()) return std::numeric_limits<double>::quiet_NaN();
  return value.get<double>();
}

// |a - b|, 0 where both are the same infinity; NaN (the worst) where one is not a number.
double difference(double a, double b) {
  if (a == b) return 0;
  return std::abs(a - b);
}

// Runs the fixture's arguments (with --export when `exporting`), each shell-quoted.
Run run_fixture(const json& fixture, const std::string& export_path) {
  std::string args;
  for (const json& arg : fixture["args"]) args += shell_quoted(arg.get<std::string>()) + " ";
  if (!export_path.empty()) args += "--export " + shell_quoted(export_path);
  const Run run = run_cli(args);
  INFO(args << "\n" << run.err);
  REQUIRE(run.exit_code == 0);
  return run;
}

void check_spectrum(const std::string& name, const json& fixture) {
  const std::string path = temp_path((name + ".json").c_str());
  run_fixture(fixture, path);
  const json got = read_json(path);
  REQUIRE(got["singular_value_steps"] == fixture["singular_value_steps"]);
  const json& want_svs = fixture["singular_values"];
  const json& got_svs = got["step_singular_values"];
  REQUIRE(got_svs.size() == want_svs.size());
  double worst_sv = 0;
  for (size_t s = 0; s < want_svs.size(); ++s) {
    REQUIRE(got_svs[s].size() == want_svs[s].size());
    const double sv1 = number_of(want_svs[s][0]);
    for (size_t i = 0; i < want_svs[s].size(); ++i)
      worst_sv =
          std::max(worst_sv, difference(number_of(got_svs[s][i]), number_of(want_svs[s][i])) / sv1);
  }
  const json& want_ly = fixture["lyapunov_exponents"];
  REQUIRE(got["lyapunov_exponents"].size() == want_ly.size());
  double worst_ly = 0;
  for (size_t i = 0; i < want_ly.size(); ++i)
    worst_ly = std::max(worst_ly,
                        difference(number_of(got["lyapunov_exponents"][i]), number_of(want_ly[i])));
  MESSAGE(name << ": singular values at " << want_svs.size() << " steps, worst |cli - torch| / sv1 "
               << worst_sv << "; " << want_ly.size() << " exponents, worst " << worst_ly
               << " nats per step");
  CHECK(worst_sv <= fixture["sv_tolerance"].get<double>());
  CHECK(worst_ly <= fixture["exponent_tolerance"].get<double>());
  if (!fixture.contains("eigenvalues")) return;
  // numpy's eigenvalues of autograd's J_t against the export's, as multisets: each of the
  // export's matched to the nearest of numpy's not yet taken, relative to the largest modulus
  const json& want_eig = fixture["eigenvalues"];
  REQUIRE(got["step_eigenvalues"].size() == want_eig.size());
  double worst_eig = 0;
  for (size_t s = 0; s < want_eig.size(); ++s) {
    std::vector<std::complex<double>> left;
    double largest = 0;
    for (const json& z : want_eig[s]) {
      left.emplace_back(number_of(z[0]), number_of(z[1]));
      largest = std::max(largest, std::abs(left.back()));
    }
    REQUIRE(got["step_eigenvalues"][s].size() == left.size());
    for (const json& z : got["step_eigenvalues"][s]) {
      const std::complex<double> mine(number_of(z[0]), number_of(z[1]));
      const auto nearest = std::min_element(left.begin(), left.end(), [&](auto a, auto b) {
        return std::abs(a - mine) < std::abs(b - mine);
      });
      worst_eig = std::max(worst_eig, std::abs(*nearest - mine) / std::max(largest, 1e-300));
      left.erase(nearest);
    }
  }
  MESSAGE(name << ": eigenvalues at " << want_eig.size() << " steps, worst |cli - numpy| / |largest| "
               << worst_eig);
  CHECK(worst_eig <= fixture["eigenvalue_tolerance"].get<double>());
}

void check_cliff(const std::string& name, const json& fixture) {
  const Run run = run_fixture(fixture, "");
  std::vector<std::string> rows = csv_lines(run.out);
  REQUIRE(rows.size() >= 2);
  rows.erase(rows.begin(), rows.begin() + 2);  // the '# cliff:' line and the header
  REQUIRE(rows.size() == fixture["loss"].size());
  double worst = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<double> fields;
    std::stringstream stream(rows[i]);
    for (std::string field; std::getline(stream, field, ',');)
      fields.push_back(field == "overflow" ? std::numeric_limits<double>::infinity()
                                           : std::stod(field));
    REQUIRE(fields.size() == 5);
    const char* columns[] = {"loss", "grad_w", "grad_b"};
    for (int c = 0; c < 3; ++c) {
      const double want = number_of(fixture[columns[c]][i]), got = fields[2 + c];
      if (std::abs(want) > 1e-300) worst = std::max(worst, difference(got, want) / std::abs(want));
    }
  }
  MESSAGE(name << ": " << rows.size() << " points, worst relative |cli - numpy| " << worst);
  CHECK(worst <= fixture["tolerance"].get<double>());
}

void check_decay(const std::string& name, const json& fixture) {
  const std::string path = temp_path((name + ".json").c_str());
  run_fixture(fixture, path);
  const json got = read_json(path)["log10_grad_norm_h"];
  const json& want = fixture["log10_grad_norm_h"];
  REQUIRE(got.size() == want.size());
  double worst = 0;
  for (size_t t = 0; t < want.size(); ++t)
    worst = std::max(worst, difference(number_of(got[t]), number_of(want[t])));
  MESSAGE(name << ": " << want.size() << " steps down to 10^" << number_of(want[0])
               << ", worst |cli - torch| " << worst << " in log10");
  CHECK(worst <= fixture["tolerance"].get<double>());
}

}  // namespace

TEST_CASE("the README's PyTorch checks hold: spectra, the cliff and 3,000-step decay exports") {
  int checked = 0;
  for (const auto& file : json_files("tests/reference/fixtures/checks", "")) {
    const std::string name = file.stem().string();
    CAPTURE(name);
    const json fixture = read_json(file);
    const std::string command = fixture["args"][0].get<std::string>();
    if (command == "spectrum")
      check_spectrum(name, fixture);
    else if (command == "cliff")
      check_cliff(name, fixture);
    else if (command == "decay")
      check_decay(name, fixture);
    else
      FAIL("a fixture of an unknown command: " << command);
    ++checked;
  }
  CHECK(checked == 23);  // 12 spectra, 2 cliff grids, 9 decays: none lost
}
