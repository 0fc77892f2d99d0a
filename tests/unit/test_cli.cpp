// The command-line contract (docs/ARCHITECTURE.md): CSV on stdout after one provenance line,
// --export JSON, exit code 2 and one line on stderr for bad input or output that cannot be written.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_run.h"
#include "config.h"
#include "decay.h"
#include "gradscope_version.h"

using namespace gs_test;

TEST_CASE("decay prints t,lag,log10_grad_norm for every step") {
  const Run run = run_cli("decay --cell lstm --length 40 --hidden 8");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 41);
  CHECK(lines[0] == "t,lag,log10_grad_norm");
  CHECK(lines[1].rfind("1,39,", 0) == 0);
  CHECK(lines[40].rfind("40,0,", 0) == 0);
}

TEST_CASE("decay --export writes the full record in PyTorch's names") {
  const std::string path = temp_path("gradscope_cli_test.json");
  const Run run = run_cli("decay --cell gru --length 12 --hidden 5 --export " + path);
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["cell"] == "gru");
  CHECK(record["config"]["hidden"] == "5");
  CHECK(record["weights"]["weight_ih_l0"].size() == 15);    // 3H rows
  CHECK(record["weights"]["weight_ih_l0"][0].size() == 2);  // I = 2 (adding)
  CHECK(record["weights"]["bias_hh_l0"].size() == 15);
  CHECK(record["inputs"].size() == 12);
  CHECK(record["h0"].size() == 5);
  CHECK_FALSE(record.contains("c0"));
  CHECK(record["seed_grad_h"].size() == 5);
  REQUIRE(record["log10_grad_norm_h"].size() == 12);
  // The CSV and the export carry the same numbers.
  const auto lines = csv_lines(run.out);
  const double last = std::stod(lines[12].substr(lines[12].rfind(',') + 1));
  CHECK(record["log10_grad_norm_h"][11].get<double>() == doctest::Approx(last).epsilon(1e-9));
}

TEST_CASE("train --export writes every minibatch and iteration, in PyTorch's names") {
  const std::string path = temp_path("gradscope_cli_test_train.json");
  const Run run = run_cli("train --cell rnn-tanh,gru --hidden 4 --length 6 --batch 3 --iters 5 "
                          "--clip 0.01 --precision f64 --export " + path);
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["precision"] == "f64");
  CHECK(record["config"]["cell"] == "rnn-tanh,gru");
  REQUIRE(record["cells"].size() == 2);
  const nlohmann::json& gru = record["cells"][1];
  CHECK(gru["cell"] == "gru");
  CHECK(gru["loss"] == "mse");
  CHECK(gru["optimizer"]["kind"] == "adam");
  CHECK(gru["optimizer"]["epsilon"] == 1e-8);
  CHECK(gru["initial_weights"]["weight_ih_l0"].size() == 12);    // 3H rows
  CHECK(gru["initial_weights"]["weight_ih_l0"][0].size() == 2);  // I = 2 (adding)
  CHECK(gru["final_weights"]["bias_out"].size() == 1);
  CHECK(gru["final_weights"] != gru["initial_weights"]);
  REQUIRE(gru["iterations"].size() == 5);
  const nlohmann::json& first = gru["iterations"][0];
  CHECK(first["iteration"] == 1);
  CHECK(first["inputs"].size() == 6);        // T
  CHECK(first["inputs"][0].size() == 3);     // B
  CHECK(first["inputs"][0][0].size() == 2);  // I
  CHECK(first["targets"][0].is_null());      // adding: a loss at the last step only
  CHECK(first["targets"][5].size() == 3);
  CHECK(first["clipped"] == true);  // clip 0.01
  CHECK(first["skipped"] == false);
  // The CSV and the export carry the same numbers.
  const auto lines = lines_of(run.out);
  const auto row = std::find_if(lines.begin(), lines.end(),
                                [](const std::string& l) { return l.rfind("gru,1,", 0) == 0; });
  REQUIRE(row != lines.end());
  CHECK(first["loss"].get<double>() == doctest::Approx(std::stod(row->substr(6))).epsilon(1e-9));
}

TEST_CASE("train --export fails before training when the file cannot be written") {
  const Run missing = run_cli("train --iters 3 --export /nonexistent-dir/train.json");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out == "");
  CHECK(missing.err.rfind("gradscope: error: --export /nonexistent-dir/train.json: cannot open "
                          "the file for writing", 0) == 0);
  if (std::filesystem::exists("/dev/full")) {  // opens, but takes no bytes
    const Run full = run_cli("train --iters 3 --export /dev/full");
    CHECK(full.exit_code == 2);
    CHECK(full.out == "");
    CHECK(full.err.rfind("gradscope: error: --export /dev/full: writing failed", 0) == 0);
  }
}

TEST_CASE("bad input: exit code 2 and one line naming what was wrong") {
  struct Case {
    const char* args;
    const char* message;
  };
  const Case cases[] = {
      {"decay --hidden 0",
       "gradscope: error: hidden=0 is invalid: expected an integer in [1, 1024]\n"},
      {"decay --cell lstm,gru",
       "gradscope: error: cell=lstm,gru is invalid for decay: expected exactly one cell\n"},
      {"sweep --lengths 10,x",
       "gradscope: error: lengths=10,x is invalid: expected a comma list "
       "of integers in [1, 100000]\n"},
      {"train --optimizer rmsprop",
       "gradscope: error: optimizer=rmsprop is invalid: expected one of sgd, adam\n"},
      {"decay --hidden", "gradscope: error: --hidden needs a value\n"},
      {"wobble",
       "gradscope: error: unknown command 'wobble' (commands: decay, sweep, train, bench, "
       "critical, cliff, truncation)\n"},
      {"",
       "gradscope: error: no command given (commands: decay, sweep, train, bench, critical, "
       "cliff, truncation; --help for more)\n"},
  };
  for (const Case& c : cases) check_stderr(c.args, c.message);
}

TEST_CASE("sweep prints one row per cell and length with its spread over seeds") {
  const Run run = run_cli("sweep --cell rnn-tanh,lstm --lengths 10,100 --seeds 3 --hidden 8");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences");
  CHECK(lines[1].rfind("rnn-tanh,10,", 0) == 0);
  CHECK(lines[4].rfind("lstm,100,", 0) == 0);
}

TEST_CASE("a gradient that reaches exactly zero prints an empty field, never -inf or nan") {
  const Run run = run_cli("sweep --cell rnn-relu --scale 0 --seeds 3 --lengths 5,10 --hidden 4");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("inf") == std::string::npos);
  CHECK(run.out.find("nan") == std::string::npos);
}

TEST_CASE("--help lists every key of the vocabulary") {
  const Run run = run_cli("train --help");
  CHECK(run.exit_code == 0);
  for (const char* key : {"--cell", "--hidden", "--length", "--forget_bias", "--clip", "--lr"})
    CHECK(run.out.find(key) != std::string::npos);
}

TEST_CASE("an overflowing forward pass prints overflow, says where on stderr, and exits 0") {
  const Run run = run_cli("decay --cell rnn-relu --scale 100 --length 200");
  CHECK(run.exit_code == 0);  // a finding about the configuration, not an error
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() == 203);  // provenance, header, 200 rows, the '#' note
  CHECK(lines[2] == "1,199,overflow");
  CHECK(lines[201] == "200,0,overflow");
  CHECK(lines[202].rfind("# the forward pass overflowed at step ", 0) == 0);
  CHECK(run.err.rfind("gradscope: warning: the forward pass overflowed at step ", 0) == 0);

  const Run sweep = run_cli("sweep --cell rnn-relu --scale 100 --lengths 10,100 --seeds 2");
  const std::vector<std::string> rows = lines_of(sweep.out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[3] == "rnn-relu,100,overflow,overflow,overflow,overflow,2,1");
}

TEST_CASE("train prints skipped and clipped at the end, and a diverged run says where and why") {
  const Run run = run_cli("train --cell rnn-relu,lstm --optimizer sgd --lr 10 --clip 0 --iters 40");
  CHECK(run.exit_code == 0);  // divergence is a finding, not an error
  const std::vector<std::string> lines = lines_of(run.out);
  CHECK(lines[1] == "cell,iteration,loss,chance_loss,grad_norm,accuracy,skipped,clipped");
  CHECK(run.out.find("nan") == std::string::npos);
  CHECK(run.out.find("rnn-relu,2,overflow,0.1666666667,overflow,0,1,0\n") != std::string::npos);
  CHECK(run.out.find("# rnn-relu adding T=50: diverged at iteration 2: the loss is not finite: "
                     "the weights exploded; try clip=1") != std::string::npos);
  CHECK(run.out.find("% of chance") == std::string::npos);  // no arithmetic on NaN

  const Run clipped = run_cli("train --cell lstm --iters 20");  // clip=1: early updates clipped
  CHECK(clipped.out.find(",0,1\n") != std::string::npos);
}

TEST_CASE("a flag cannot smuggle in a second key: every separator is refused, named") {
  const std::string why = "('&', ';', spaces, tabs and line breaks separate key=value pairs)";
  check_refused("decay --length '5\rhidden=2'",
                "--length '5\\rhidden=2' is invalid: a flag cannot contain '\\r' " + why);
  check_refused("decay --length '5\nhidden=2'",
                "--length '5\\nhidden=2' is invalid: a flag cannot contain '\\n' " + why);
  check_refused("decay --length '5\thidden=2'",
                "--length '5\\thidden=2' is invalid: a flag cannot contain '\\t' " + why);
  check_refused("decay --length '5 hidden=2'",
                "--length '5 hidden=2' is invalid: a flag cannot contain ' ' " + why);
  check_refused("decay --length '5;hidden=2'",
                "--length '5;hidden=2' is invalid: a flag cannot contain ';' " + why);
  check_refused("decay '--length=5&hidden=2'",
                "--length '5&hidden=2' is invalid: a flag cannot contain '&' " + why);
  check_refused("decay 'length=5&hidden=2'",
                "--length '5&hidden=2' is invalid: a flag cannot contain '&' " + why);
  check_refused("decay '--hid den' 5",
                "--hid den '5' is invalid: a flag cannot contain ' ' " + why);
}

TEST_CASE("--export is a path, not a config value: separators are allowed in it") {
  const std::string path = temp_path("gradscope cli a&b;c\td.json");
  const Run run = run_cli("decay --length 6 --hidden 3 --export '" + path + "'");
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  REQUIRE(file.good());
  CHECK(nlohmann::json::parse(file)["steps"] == 6);
  std::filesystem::remove(path);
}

TEST_CASE("numbers: hex and non-finite refused, subnormals and -0 read back from the output") {
  check_refused("decay --lr 0x1p-1074", "lr=0x1p-1074 is invalid: expected a number in (0, 10]");
  check_refused("decay --scale 1e400", "scale=1e400 is invalid: expected a number in [0, 100]");
  check_refused("decay --scale inf", "scale=inf is invalid: expected a number in [0, 100]");
  check_refused("decay --scale -nan", "scale=-nan is invalid: expected a number in [0, 100]");
  check_refused("decay --seed 99999999999999999999",
                "seed=99999999999999999999 is invalid: expected an integer in [0, "
                "9007199254740992]");
  const Run run = run_cli("decay --lr 5e-324 --scale -0 --length 5 --hidden 3");
  REQUIRE(run.exit_code == 0);
  const std::string config_text = lines_of(run.out)[0].substr(kProvenance.size());
  gs::Config config;
  REQUIRE(gs::parse_config(config, config_text) == "");
  CHECK(config.lr == std::numeric_limits<double>::denorm_min());
  CHECK(config.scale == 0);
  CHECK_FALSE(std::signbit(config.scale));
  CHECK(gs::to_text(config) == config_text);
}

TEST_CASE("bad input is quoted in at most 80 bytes, non-printable bytes escaped") {
  check_refused("decay --hidden " + std::string(100000, 'x'),
                "hidden=" + std::string(80, 'x') +
                    "... (100000 bytes) is invalid: expected an integer in [1, 1024]");
  check_refused("'wob\x1b[2Jble'",
                "unknown command 'wob\\x1b[2Jble' (commands: decay, sweep, train, bench, "
                "critical, cliff, truncation)");
  check_refused("decay 'junk\a'",
                "unexpected argument 'junk\\x07': flags are --key value or key=value");
  check_refused(
      "decay '--hid\x1b"
      "den' 3",
      "unknown key 'hid\\x1bden' (known keys: cell, hidden, length, seed, seeds, "
      "sequences, init, scale, radius, forget_bias, chrono, task, batch, optimizer, lr, "
      "momentum, clip, truncate, iters, lengths, solve_threshold, precision)");
  check_refused("decay '--\x1b[31m'", "--\\x1b[31m needs a value");
  check_refused("decay --cell 'lstm\x01'",
                "cell=lstm\\x01 is invalid: expected a comma list of rnn-tanh, rnn-relu, "
                "rnn-sigmoid, rnn-identity, lstm, gru");
  check_refused("decay --init 'h\xc3\xa9llo'",
                "init=h\\xc3\\xa9llo is invalid: expected one of uniform, xavier, "
                "orthogonal, identity");
}

TEST_CASE("memory limits: bench and train refuse what would not fit, and just inside runs") {
  check_refused("bench --batch 4096 --hidden 40 --length 100000",
                "length=100000, hidden=40 and batch=4096 with 3 cells are too large to "
                "train: cells x (length x batch + 2 x hidden) x (hidden + 10) must be <= "
                "4000000 (BPTT keeps every step of every sequence, and the weights 4 "
                "times)");
  check_refused("train --cell rnn-tanh --hidden 30 --length 99941 --batch 1",
                "length=99941, hidden=30 and batch=1 with 1 cell are too large to train: "
                "cells x (length x batch + 2 x hidden) x (hidden + 10) must be <= 4000000 "
                "(BPTT keeps every step of every sequence, and the weights 4 times)");
  check_refused("decay --hidden 41 --length 100000",
                "length=100000 with hidden=41 is too large: length x (hidden + 10) must "
                "be <= 5000000 (BPTT keeps every step)");
  // 1 x (99940 + 2 x 30) x (30 + 10) = 4000000, the limit itself
  const Run train = run_cli("train --cell rnn-tanh --hidden 30 --length 99940 --batch 1 --iters 1");
  CHECK(train.exit_code == 0);
  CHECK(train.err == "");
  const Run bench = run_cli("bench --cell rnn-tanh --hidden 30 --length 99940 --batch 1");
  CHECK(bench.exit_code == 0);
  const auto lines = csv_lines(bench.out);
  REQUIRE(lines.size() >= 2);
  CHECK(lines[1].rfind("rnn-tanh", 0) == 0);
  CHECK(lines[1].find(" 30   99940      1 ") != std::string::npos);
}

TEST_CASE("--export: opened before anything is computed, and a failed write is an error") {
  check_refused("decay --length 5 --export /nonexistent-dir/x.json",
                "--export /nonexistent-dir/x.json: cannot open the file for writing (No "
                "such file or directory)");
  check_refused("decay --length 5 --export /dev/full",
                "--export /dev/full: cannot write the file (No space left on device)");
  check_refused("decay --length 5 --export ''", "--export needs a file name");
  check_refused("decay --length 5 >/dev/full", "cannot write the output (No space left on device)");
}

TEST_CASE("outputs start with the version and the canonical config, and the export has both") {
  const std::string version = GRADSCOPE_VERSION;
  CHECK(version.find_first_not_of("0123456789.+gabcdef") == std::string::npos);
  CHECK(version.rfind("0.", 0) == 0);
  const Run decay = run_cli("decay --cell lstm --length 4 --hidden 8");
  CHECK(lines_of(decay.out)[0] ==
        kProvenance +
            "cell=lstm&hidden=8&length=4&seed=1&seeds=1&sequences=1&init=uniform&scale=1&"
            "radius=0&forget_bias=1&chrono=0&task=adding&batch=32&optimizer=adam&lr=0.01&"
            "momentum=0.9&clip=1&truncate=0&iters=600&lengths=10,30,100,300,1000,3000&"
            "solve_threshold=0.1&precision=f32");
  const std::pair<const char*, const char*> commands[] = {
      {"sweep --cell gru --lengths 5,9 --hidden 3 --task copy",
       "cell=gru&lengths=5,9&hidden=3&task=copy"},
      {"train --cell lstm --length 5 --hidden 3 --iters 2 --batch 2",
       "cell=lstm&length=5&hidden=3&iters=2&batch=2"},
  };
  for (const auto& [args, flags] : commands) {
    INFO(args);
    const Run run = run_cli(args);
    REQUIRE(run.exit_code == 0);
    gs::Config config;
    REQUIRE(gs::parse_config(config, flags) == "");
    CHECK(lines_of(run.out)[0] == kProvenance + gs::to_text(config));
  }
  const std::string path = temp_path("gradscope_cli_provenance.json");
  REQUIRE(run_cli("decay --length 4 --hidden 2 --export " + path).exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["gradscope_version"] == version);
  CHECK(record["schema_version"] == 1);
}

TEST_CASE("--help names the limits that apply to the command") {
  const std::string training = "  cells x (steps x batch + 2 x hidden) x (hidden + 10) <= 4000000";
  for (const char* command : {"train", "bench"})
    CHECK(run_cli(std::string(command) + " --help").out.find(training) != std::string::npos);
  for (const char* command : {"decay", "sweep"}) {
    const Run run = run_cli(std::string(command) + " --help");
    CHECK(run.out.find("  steps x (hidden + 10) <= 5000000") != std::string::npos);
    CHECK(run.out.find(training) == std::string::npos);
  }
}

TEST_CASE("decay with sequences prints the median and the 10 and 90 percent quantiles") {
  const Run run = run_cli("decay --cell lstm --length 30 --sequences 4 --precision f64");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 31);
  CHECK(lines[0] == "t,lag,median_log10_grad_norm,p10,p90");
  // t = 1: the median of four values is the mean of the middle two (numpy's default)
  gs::Config config;
  REQUIRE(gs::parse_config(config, "cell=lstm&length=30&precision=f64") == "");
  std::vector<double> first;
  for (int q = 0; q < 4; ++q)
    first.push_back(gs::run_probe(gs::CellKind::Lstm, config, 1, q).curve.log10_grad_h[0]);
  std::sort(first.begin(), first.end());
  std::vector<std::string> fields;
  std::stringstream row(lines[1]);
  for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
  REQUIRE(fields.size() == 5);
  CHECK(std::stod(fields[2]) == doctest::Approx((first[1] + first[2]) / 2).epsilon(1e-9));
  CHECK(std::stod(fields[3]) < std::stod(fields[2]));
  CHECK(std::stod(fields[4]) > std::stod(fields[2]));
  CHECK(run_cli("decay --sequences 2 --export /tmp/x.json").err ==
        "gradscope: error: --export with sequences=2 is invalid: an export records one sequence "
        "(use sequences=1)\n");
}
