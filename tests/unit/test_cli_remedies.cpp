// The commands of "what fixes it" from the command line: critical (its finding at a small budget,
// shards merged byte for byte, merges refused), cliff and truncation.
#include <doctest/doctest.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "cli_run.h"
#include "model/config.h"

using namespace gs;
using namespace gs_test;

namespace {

// A budget that shows it in seconds: the tanh RNN solves the adding task at T = 10 with one seed
// of two and not at T = 25; the LSTM solves both with both seeds (measured: 1.3 s of CPU).
const std::string kSmallCritical = "critical --cell rnn-tanh,lstm --lengths 10,25 --seeds 2 --seed 1";

std::string write_file(const char* name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

std::string shard_of(const std::string& args, int i, int n) {
  const Run run = run_cli(args + " --shard " + std::to_string(i) + "/" + std::to_string(n));
  REQUIRE(run.exit_code == 0);
  return run.out;
}

struct CliffPoint {
  double loss, grad_w, grad_b;
};

// The cliff's RNN x_t = w sigmoid(x_{t-1}) + b, E = (sigmoid(x_steps) - target)^2, and its
// gradient by BPTT written out here: dE/dx_{t-1} = dE/dx_t w sigmoid'(x_{t-1}).
CliffPoint cliff_by_hand(double w, double b, int steps, double x0, double target) {
  const auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  std::vector<double> x{x0};
  for (int t = 1; t <= steps; ++t) x.push_back(w * sigmoid(x.back()) + b);
  const double s = sigmoid(x.back());
  CliffPoint p{(s - target) * (s - target), 0, 0};
  double dx = 2 * (s - target) * s * (1 - s);
  for (int t = steps; t >= 1; --t) {
    const double before = sigmoid(x[t - 1]);
    p.grad_w += dx * before;
    p.grad_b += dx;
    dx *= w * before * (1 - before);
  }
  return p;
}

// The shortest decimal text that reads back as x (what the CLI promises).
std::string shortest_text(double x) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
  return std::string(buffer, end);
}

}  // namespace

TEST_CASE("critical: LSTM's critical length on the adding task exceeds the tanh RNN's") {
  const auto start = std::chrono::steady_clock::now();
  const Run run = run_cli(kSmallCritical);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE(kSmallCritical << ": " << seconds << " s");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 1 + 8 + 2);
  CHECK(lines[0] == "cell,length,seed,final_loss,chance_loss,solved");
  CHECK(lines[1].rfind("rnn-tanh,10,1,", 0) == 0);
  CHECK(lines[2].rfind("rnn-tanh,10,2,", 0) == 0);
  CHECK(lines[3].rfind("rnn-tanh,25,1,", 0) == 0);
  CHECK(lines[8].rfind("lstm,25,2,", 0) == 0);
  const int tanh = std::stoi(lines[9].substr(lines[9].find('=') + 1));
  const int lstm = std::stoi(lines[10].substr(lines[10].find('=') + 1));
  CHECK(lines[9].rfind("# rnn-tanh critical_length=", 0) == 0);
  CHECK(lines[10].rfind("# lstm critical_length=", 0) == 0);
  CHECK(lstm > tanh);  // measured 25 and 10
  CHECK(lstm == 25);
  // the experiment's defaults are in the provenance line
  CHECK(lines_of(run.out)[0].find("&iters=800&") != std::string::npos);
  CHECK(lines_of(run.out)[0].find("&lengths=10,25&") != std::string::npos);
}

TEST_CASE("critical: shards merged print exactly what the unsharded run prints") {
  const std::string args =
      "critical --cell rnn-tanh,gru --lengths 4,6,9 --seeds 2 --hidden 6 "
      "--batch 4 --iters 30 --seed 1";
  const Run whole = run_cli(args);
  REQUIRE(whole.exit_code == 0);
  const std::string a = write_file("gradscope_shard_1.csv", shard_of(args, 1, 3));
  const std::string b = write_file("gradscope_shard_2.csv", shard_of(args, 2, 3));
  const std::string c = write_file("gradscope_shard_3.csv", shard_of(args, 3, 3));
  const auto shard_lines = lines_of(shard_of(args, 2, 3));
  REQUIRE(shard_lines.size() == 3 + 4);  // 12 runs, every third
  CHECK(shard_lines[0] == lines_of(whole.out)[0]);
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh,gru&lengths=4,6,9&seeds=2&hidden=6&batch=4&"
                       "iters=30&seed=1") == "");
  CHECK(shard_lines[1] == "# config=" + to_text(config) + " shard=2/3");
  CHECK(shard_lines[2] == "cell,length,seed,final_loss,chance_loss,solved");
  for (const std::string& order :
       {shell_quoted(a) + " " + shell_quoted(b) + " " + shell_quoted(c),
        shell_quoted(c) + " " + shell_quoted(a) + " " + shell_quoted(b)}) {
    const Run merged = run_cli("critical --merge " + order);
    CHECK(merged.exit_code == 0);
    CHECK(merged.err == "");
    CHECK(merged.out == whole.out);  // byte for byte
  }
  // one shard of one is a shard too
  const std::string all = write_file("gradscope_shard_all.csv", shard_of(args, 1, 1));
  CHECK(run_cli("critical --merge " + shell_quoted(all)).out == whole.out);

  // refused: an incomplete set, overlapping shards, another config, not a shard, extra flags
  check_refused("critical --merge " + shell_quoted(a) + " " + shell_quoted(c),
                "--merge: incomplete: 4 of 12 runs are missing, the first rnn-tanh,4,2 (merge "
                "every shard 1/n .. n/n)");
  check_refused("critical --merge " + shell_quoted(a) + " " + shell_quoted(b) + " " +
                    shell_quoted(c) + " " + shell_quoted(a),
                "--merge: shards overlap: the run rnn-tanh,4,1 is in " + a + " and in " + a);
  check_refused("critical --merge " + shell_quoted(all) + " " + shell_quoted(b),
                "--merge: shards overlap: the run rnn-tanh,4,2 is in " + all + " and in " + b);
  const std::string other =
      write_file("gradscope_shard_other.csv", shard_of(args + " --seeds 3", 1, 2));
  check_refused(
      "critical --merge " + shell_quoted(a) + " " + shell_quoted(other),
      "--merge: " + a + " and " + other + " are shards of different configs (seeds=2 vs seeds=3)");
  const std::string csv = write_file("gradscope_not_a_shard.csv", whole.out);
  check_refused("critical --merge " + shell_quoted(csv),
                "--merge " + csv +
                    ": not a shard of gradscope critical (expected the '# gradscope' line, "
                    "'# config=... shard=i/n' and the header "
                    "cell,length,seed,final_loss,chance_loss,solved)");
  check_refused("critical --merge " + shell_quoted(a) + " --seeds 3",
                "--merge takes only shard files (the config comes from them), not '--seeds'");
  check_refused("critical --merge", "--merge needs shard files: critical --merge a.csv b.csv ...");
  check_refused("critical --merge /nonexistent.csv",
                "--merge /nonexistent.csv: cannot read the file (No such file or directory)");
  check_refused("critical --shard 3/2",
                "--shard 3/2 is invalid: expected i/n with 1 <= i <= n <= 100000 (e.g. 2/4)");
  check_refused("critical --shard 0/2",
                "--shard 0/2 is invalid: expected i/n with 1 <= i <= n <= 100000 (e.g. 2/4)");
}

TEST_CASE("critical: every length must fit the training limit, and --help lists the flags") {
  check_refused("critical --cell lstm --lengths 10,5000 --hidden 64",
                "lengths=10,5000 do not fit the critical experiment, which trains each selected "
                "cell (lstm) alone at every length: length=5000, hidden=64 and batch=32 are too "
                "large to train one cell: (length x batch + 2 x hidden) x (hidden + 10) must be "
                "<= 4000000 (BPTT keeps every step of every sequence, and the weights 4 times)");
  const Run help = run_cli("critical --help");
  CHECK(help.exit_code == 0);
  for (const char* text : {"--shard i/n", "--merge A.csv", "--solve_threshold", "--truncate",
                           "--chrono", "(default 10,25,50,100)", "(default 800)"})
    CHECK(help.out.find(text) != std::string::npos);
}

TEST_CASE("cliff prints w,b,loss,grad_w,grad_b over the grid, w outer, numbers exact") {
  const Run run = run_cli("cliff --w 4:6:3 --b -3:-2:5");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 2 + 15);
  CHECK(lines[0] ==
        "# cliff: x_t = w sigmoid(x_{t-1}) + b, x_0 = 0.5, E = (sigmoid(x_50) - 0.7)^2; --w 4:6:3 "
        "--b -3:-2:5 --steps 50 --x0 0.5 --target 0.7");
  CHECK(lines[1] == "w,b,loss,grad_w,grad_b");
  CHECK(lines[2].rfind("4,-3,", 0) == 0);
  CHECK(lines[3].rfind("4,-2.75,", 0) == 0);
  CHECK(lines[6].rfind("4,-2,", 0) == 0);
  CHECK(lines[7].rfind("5,-3,", 0) == 0);
  CHECK(lines[16].rfind("6,-2,", 0) == 0);
  // every number: the shortest text of the double that a BPTT of the test's own computes
  // (within 1e-12 relative: the order of the operations may differ)
  for (size_t row = 2; row < lines.size(); ++row) {
    CAPTURE(lines[row]);
    std::vector<std::string> f;
    std::stringstream stream(lines[row]);
    for (std::string field; std::getline(stream, field, ',');) f.push_back(field);
    REQUIRE(f.size() == 5);
    for (const std::string& text : f) CHECK(shortest_text(std::stod(text)) == text);
    const CliffPoint want = cliff_by_hand(std::stod(f[0]), std::stod(f[1]), 50, 0.5, 0.7);
    CHECK(std::stod(f[2]) == doctest::Approx(want.loss).epsilon(1e-12));
    CHECK(std::stod(f[3]) == doctest::Approx(want.grad_w).epsilon(1e-12));
    CHECK(std::stod(f[4]) == doctest::Approx(want.grad_b).epsilon(1e-12));
  }
  // the default grid is 81 x 81, and the flags are refused with one line
  CHECK(csv_lines(run_cli("cliff").out).size() == 2 + 81 * 81);
  const Run other = run_cli("cliff --w 1:1:1 --b 0:0:1 --steps 3 --x0 -1 --target 0.25");
  CHECK(csv_lines(other.out)[2].rfind("1,0,", 0) == 0);
  check_refused("cliff --w 1:2",
                "--w 1:2 is invalid: expected LO:HI:N (N points from LO to HI, "
                "both included; N an integer in [1, 100000], LO < HI, or LO = "
                "HI if N = 1)");
  check_refused("cliff --steps 0", "--steps 0 is invalid: expected an integer in [1, 10000]");
  check_refused("cliff --x0 nan", "--x0 nan is invalid: expected a number");
  check_refused("cliff --w 0:1:2000 --b 0:1:1000",
                "--w with 2000 points and --b with 1000 are too many: at most 1000000 grid points");
  CHECK(run_cli("train --w 1:2:3").exit_code == 2);  // not a flag of other commands
}

TEST_CASE("truncation prints k,cosine for k = 1..T and takes one cell") {
  const Run run = run_cli("truncation --scale 1.5 --length 20 --hidden 16 --precision f64 --seed 1");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 21);
  CHECK(lines[0] == "k,cosine");
  CHECK(lines[5] == "5,0.9841640462");  // the pinned case of tests/unit/test_truncation.cpp
  CHECK(lines[20].rfind("20,1", 0) == 0);
  CHECK(csv_lines(run_cli("truncation --task copy --length 5 --hidden 4").out).size() == 26);
  check_refused("truncation --cell rnn-tanh,lstm",
                "cell=rnn-tanh,lstm is invalid for truncation: expected exactly one cell");
}
