// Your own model on the command line: --weights (with --inputs, --readout, --prefix, --layer)
// and --save, read back to the same numbers and bytes; bad files and contradicting flags exit 2
// with one line.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.h"
#include "fixture_files.h"

using namespace gs_test;

namespace {

const std::string kWeightsDir =
    std::string(GRADSCOPE_SOURCE_DIR) + "/tests/reference/fixtures/weights/";

// A temporary file of this test process.
std::string temp(const std::string& name) {
  return temp_path(("own_" + name).c_str());
}

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace

TEST_CASE("--weights: decay reads a PyTorch file and says what it read, its inputs and its seed gradient") {
  const std::string weights = kWeightsDir + "lstm_f64.safetensors";
  const Run run = run_ok("decay --weights " + shell_quoted(weights) + " --inputs " +
                         shell_quoted(kWeightsDir + "inputs_i3.safetensors"));
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() > 8);
  CHECK(lines[0].find("config=cell=lstm&hidden=8&length=200&") != std::string::npos);
  CHECK(lines[0].find("&precision=f64") != std::string::npos);  // the file's dtype
  CHECK(lines[1] == "# --weights " + weights);
  CHECK(lines[2] == "# --inputs " + kWeightsDir +
                        "inputs_i3.safetensors: tensor 'inputs' [200, 3] F64");
  CHECK(lines[3] ==
        "# model: lstm from 'encoder.lstm.weight_ih_l0' (layer 0 of 2): input size 3, hidden 8, "
        "with biases, F64 tensors; cell=lstm, computed in f64");
  CHECK(lines[4] == "# inputs: the inputs file's, 200 steps; h0 = c0 = 0");
  CHECK(lines[5].rfind("# seed gradient: dL/dh_T = (1, ..., 1) / sqrt(8), no readout", 0) == 0);
  const std::string note =
      "the file has 2 layers under 'encoder.lstm.'; layer 0 is read (--layer K picks another); "
      "the file's readout 'head.' reads the last layer, 1: no readout for this one (--readout "
      "uses it anyway)";
  CHECK(lines[6] == "# note: " + note);
  CHECK(run.err == "gradscope: note: --weights " + weights + ": " + note + "\n");
  const std::vector<std::string> rows = rows_of(run.out);
  REQUIRE(rows.size() == 201);
  // PyTorch's curve (weights_reference.json), to the CSV's 10 digits.
  const nlohmann::json reference = read_json(kWeightsDir + "weights_reference.json");
  const std::vector<double> expected = reference["cases"][2]["log10_grad_norm_h"];
  REQUIRE(reference["cases"][2]["name"] == "lstm_layer0_f64");
  CHECK(std::stod(rows[1].substr(rows[1].rfind(',') + 1)) == doctest::Approx(expected[0]).epsilon(1e-9));

  // layer 1 with the file's readout, and --readout none
  const Run layer1 = run_ok("decay --weights " + shell_quoted(weights) + " --layer 1 --inputs " +
                            shell_quoted(kWeightsDir + "inputs_i8.safetensors"));
  CHECK(layer1.err == "");
  CHECK(layer1.out.find("(layer 1 of 2, probed alone: its inputs are not the layer below's "
                        "outputs)") != std::string::npos);
  CHECK(layer1.out.find("# seed gradient: dL/dh_T = W^T (1, ..., 1) / sqrt(4) through the "
                        "readout 'head.'") != std::string::npos);
}

TEST_CASE("decay --save and --export read back with --weights: the same curve, the same bytes, the same record") {
  for (const std::string& model : {std::string("--cell lstm"), std::string("--cell rnn-relu --precision f64"),
                                   std::string("--cell gru --scale 1.5")}) {
    INFO(model);
    const std::string a = temp("a.safetensors"), b = temp("b.safetensors"), aj = temp("a.json"),
                      bj = temp("b.json"), cj = temp("c.json");
    const Run drawn = run_ok("decay " + model + " --hidden 12 --length 60 --seed 5 --save " +
                             shell_quoted(a) + " --export " + shell_quoted(aj));
    const Run reloaded =
        run_ok("decay --weights " + shell_quoted(a) + " --length 60 --seed 5 --save " +
               shell_quoted(b) + " --export " + shell_quoted(bj));
    CHECK(rows_of(reloaded.out) == rows_of(drawn.out));
    CHECK(reloaded.out.find("# seed gradient: through the readout 'readout.', the task loss "
                            "(adding) at the last step") != std::string::npos);
    const std::string first = file_bytes(a);
    CHECK(first.size() > 100);
    CHECK(file_bytes(b) == first);  // export, reload, export: byte for byte
    // The JSON export reloads to exactly its numbers, and exports the same record again.
    const Run from_json =
        run_ok("decay --weights " + shell_quoted(aj) + " --export " + shell_quoted(cj));
    CHECK(rows_of(from_json.out) == rows_of(drawn.out));
    CHECK(from_json.out.find("# inputs: the export's, 60 steps, with its h0") != std::string::npos);
    const nlohmann::json ra = read_json(aj), rb = read_json(bj), rc = read_json(cj);
    for (const char* field : {"weights", "inputs", "h0", "seed_grad_h", "log10_grad_norm_h",
                              "precision", "cell"}) {
      INFO(field);
      CHECK(rb[field] == ra[field]);
      CHECK(rc[field] == ra[field]);
    }
    CHECK(ra["probe"] != rc["probe"]);  // the reload's seed gradient is given, and says so
    for (const std::string& path : {a, b, aj, bj, cj}) std::filesystem::remove(path);
  }
}

TEST_CASE("train --save writes the trained model, train --weights starts from a saved model exactly as from the drawn one") {
  const std::string init = temp("init.safetensors"), trained = temp("trained.safetensors"),
                    multi = temp("multi.safetensors");
  run_ok("decay --cell gru --hidden 8 --seed 3 --save " + shell_quoted(init));
  const Run drawn = run_ok("train --cell gru --hidden 8 --seed 3 --iters 30");
  const Run from_file = run_ok("train --weights " + shell_quoted(init) +
                               " --seed 3 --iters 30 --save " + shell_quoted(trained));
  CHECK(rows_of(from_file.out) == rows_of(drawn.out));
  CHECK(from_file.out.find("# readout: the file's 'readout.'") != std::string::npos);
  const Run before = run_ok("decay --weights " + shell_quoted(init) + " --seed 3");
  const Run after = run_ok("decay --weights " + shell_quoted(trained) + " --seed 3");
  CHECK(rows_of(after.out).size() == 51);
  CHECK(rows_of(after.out) != rows_of(before.out));
  // truncation starts where training does: from the file, the drawn model's cosines exactly
  const Run cut_drawn = run_ok("truncation --cell gru --hidden 8 --seed 3 --length 20");
  const Run cut_file =
      run_ok("truncation --weights " + shell_quoted(init) + " --seed 3 --length 20");
  CHECK(rows_of(cut_file.out).size() == 21);  // the header and k = 1..20
  CHECK(rows_of(cut_file.out) == rows_of(cut_drawn.out));
  CHECK(cut_file.out.find("# --weights " + init) != std::string::npos);
  CHECK(rows_of(run_ok("truncation --weights " + shell_quoted(trained) + " --seed 3 --length 20")
                    .out) != rows_of(cut_drawn.out));

  run_ok("train --cell rnn-tanh,gru --hidden 8 --iters 3 --save " + shell_quoted(multi));
  check_refused("decay --weights " + shell_quoted(multi),
                "--weights " + multi +
                    ": the file holds 2 recurrent layers, under 'gru.rnn.' and 'rnn-tanh.rnn.': "
                    "choose one with its prefix");
  const Run picked = run_ok("decay --weights " + shell_quoted(multi) + " --prefix rnn-tanh.rnn");
  CHECK(picked.out.find("config=cell=rnn-tanh&hidden=8&") != std::string::npos);
  CHECK(picked.out.find("the readout 'rnn-tanh.readout.'") != std::string::npos);
  // training needs the task's input size
  check_refused("train --weights " + shell_quoted(kWeightsDir + "gru_f32.safetensors"),
                "--weights " + kWeightsDir +
                    "gru_f32.safetensors: the model takes 4 inputs, task=adding gives 2: train "
                    "needs the task's input size");
  for (const std::string& path : {init, trained, multi}) std::filesystem::remove(path);
}

TEST_CASE("--weights for sweep, spectrum, saturation, lagsplit and trainability: the loaded model, said in '#' lines") {
  const std::string weights = kWeightsDir + "lstm_small.safetensors";
  for (const std::string& command :
       {std::string("sweep --lengths 10,50"), std::string("spectrum --length 30"),
        std::string("saturation --length 30"), std::string("lagsplit --length 30"),
        std::string("trainability --lengths 10,20 --scales 0.5:2:3")}) {
    INFO(command);
    const Run run = run_ok(command + " --weights " + shell_quoted(weights));
    const std::vector<std::string> lines = lines_of(run.out);
    REQUIRE(lines.size() > 5);
    CHECK(lines[0].find("config=cell=lstm&hidden=16&") != std::string::npos);
    CHECK(lines[1] == "# --weights " + weights);
    CHECK(lines[2].rfind("# model: lstm from 'rnn.weight_ih_l0' (layer 0 of 1): input size 2, "
                         "hidden 16, with biases, F32 tensors; readout 'readout.' (1 outputs)",
                         0) == 0);
    CHECK(lines[4] == "# seed gradient: through the readout 'readout.', the task loss (adding) "
                      "at the last step");
  }
  // The sweep's lengths are prefixes of your own sequence; an export fixes its own length.
  const std::string inputs = kWeightsDir + "inputs_i3.safetensors";
  const Run sweep =
      run_ok("sweep --weights " + shell_quoted(kWeightsDir + "rnn_tanh_f32.safetensors") +
             " --inputs " + shell_quoted(inputs) + " --lengths 10,200");
  CHECK(rows_of(sweep.out).size() == 3);
  check_refused("sweep --weights " + shell_quoted(kWeightsDir + "rnn_tanh_f32.safetensors") +
                    " --inputs " + shell_quoted(inputs) + " --lengths 10,300",
                "--inputs " + inputs +
                    ": lengths=10,300 do not fit the inputs: they have "
                    "200 steps, and each length takes the first steps of them");
}

TEST_CASE("--weights: a bad file or a contradicting flag exits 2 with one line, before any output") {
  const std::string missing = temp("missing.safetensors");
  check_refused("decay --weights " + shell_quoted(missing),
                "--weights " + missing + ": cannot open the file (No such file or directory)");
  const std::string big = temp("big.safetensors");
  { std::ofstream(big) << "x"; }
  std::filesystem::resize_file(big, (std::size_t{256} << 20) + 1);  // sparse: nothing is read
  check_refused("decay --weights " + shell_quoted(big),
                "--weights " + big +
                    ": the file has 268435457 bytes, over gradscope's limit of 256 MB "
                    "(268435456 bytes): export the recurrent layer alone "
                    "(scripts/export_weights.py)");
  std::filesystem::remove(big);
  const std::string garbage = temp("garbage.safetensors");
  { std::ofstream(garbage) << "this is not a model, just some words"; }
  check_refused("spectrum --weights " + shell_quoted(garbage),
                "--weights " + garbage +
                    ": not a safetensors file: after the 8-byte header length comes no JSON "
                    "header (which starts with '{')");
  check_refused("decay --weights " + shell_quoted(garbage) + " --inputs " + shell_quoted(garbage),
                "--weights " + garbage +
                    ": not a safetensors file: after the 8-byte header length comes no JSON "
                    "header (which starts with '{')");
  std::filesystem::remove(garbage);

  const std::string small = kWeightsDir + "lstm_small.safetensors";
  check_refused("decay --weights " + shell_quoted(small) + " --hidden 64",
                "--weights " + small +
                    ": hidden=64 contradicts the file: its layer has hidden "
                    "size 16");
  check_refused("decay --weights " + shell_quoted(small) + " --cell gru",
                "--weights " + small +
                    ": cell=gru contradicts the file: its layer is an LSTM "
                    "(weight_hh has 4H rows)");
  check_refused("decay --weights " + shell_quoted(small) + " --init orthogonal",
                "--weights " + small +
                    ": init is set, but the weights come from the file (init, scale, radius, "
                    "forget_bias, chrono, r_min, r_max and max_phase shape drawn weights only)");
  check_refused("decay --weights " + shell_quoted(small) + " --inputs " +
                    shell_quoted(kWeightsDir + "inputs_i3.safetensors"),
                "--inputs " + kWeightsDir +
                    "inputs_i3.safetensors: the inputs have 3 values per step, the model takes 2");
  check_refused("decay --inputs " + shell_quoted(kWeightsDir + "inputs_i3.safetensors"),
                "--inputs needs --weights (your own model's sequence)");
  check_refused("decay --readout fc", "--readout needs --weights (it picks what to read from the file)");
  check_refused("decay --weights " + shell_quoted(small) + " --layer -1",
                "--layer -1 is invalid: expected an integer in [0, 999]");
  check_refused("decay --weights " + shell_quoted(small) + " --layer 1",
                "--weights " + small + ": layer 1 is not in the file: under 'rnn.' it has layer 0");
  check_refused("decay --save /nonexistent-dir/model.safetensors",
                "--save /nonexistent-dir/model.safetensors: cannot open the file for writing (No "
                "such file or directory)");
  check_refused("bench --weights " + shell_quoted(small),
                "bench does not take --weights (decay, sweep, spectrum, saturation, lagsplit, "
                "trainability, train and truncation do)");
}

TEST_CASE("--help of decay and train explains --weights, --save and what the curve means without a readout") {
  const Run decay = run_ok("decay --help");
  for (const char* text : {"--weights FILE", "at most 256 MB", "--inputs FILE", "--readout P",
                           "--prefix P", "--layer K", "--save FILE",
                           "h_T's units, i.e. how far back h_T depends on earlier states,"})
    CHECK_MESSAGE(decay.out.find(text) != std::string::npos, text);
  const Run train = run_ok("train --help");
  CHECK(train.out.find("start training from your own model") != std::string::npos);
  CHECK(train.out.find("write the trained models as safetensors") != std::string::npos);
  CHECK(train.out.find("--inputs") == std::string::npos);
  CHECK(run_ok("critical --help").out.find("--weights") == std::string::npos);
}

TEST_CASE("decay --save keeps a readout the loss did not use: the saved file reads back to the same curve") {
  // rnn_tanh_f32's readout 'fc.' has 2 outputs, task=adding's 1: it makes the seed gradient
  const std::string weights = kWeightsDir + "rnn_tanh_f32.safetensors";
  const std::string saved = temp("readout.safetensors"), again = temp("readout2.safetensors");
  const Run first =
      run_ok("decay --weights " + shell_quoted(weights) + " --save " + shell_quoted(saved));
  CHECK(first.out.find("through the readout 'fc.'") != std::string::npos);
  const Run reloaded =
      run_ok("decay --weights " + shell_quoted(saved) + " --save " + shell_quoted(again));
  CHECK(reloaded.out.find("# seed gradient: dL/dh_T = W^T (1, ..., 1) / sqrt(2) through the "
                          "readout 'readout.'") != std::string::npos);
  CHECK(rows_of(reloaded.out) == rows_of(first.out));
  CHECK(file_bytes(again) == file_bytes(saved));
  for (const std::string& path : {saved, again}) std::filesystem::remove(path);
}

TEST_CASE("decay --save writes nothing when the run fails: no empty file, an existing file unchanged") {
  const std::string saved = temp("failed.safetensors");
  std::filesystem::remove(saved);
  // /dev/full takes the open and refuses the write: the run fails after --save was checked
  const Run full = run_cli("decay --export /dev/full --save " + shell_quoted(saved));
  CHECK(full.exit_code == 2);
  CHECK(full.err.find("--export /dev/full: cannot write the file") != std::string::npos);
  CHECK(!std::filesystem::exists(saved));
  { std::ofstream(saved) << "before"; }
  CHECK(run_cli("decay --export /dev/full --save " + shell_quoted(saved)).exit_code == 2);
  CHECK(file_bytes(saved) == "before");
  std::filesystem::remove(saved);
  check_refused(
      "decay --save " + shell_quoted(std::filesystem::temp_directory_path().string()),
      "--save " + std::filesystem::temp_directory_path().string() + ": it is a directory");
}

TEST_CASE("a decay --export of the copy task reloads to the same config and curve") {
  const std::string record = temp("copy.json");
  const Run drawn =
      run_ok("decay --cell gru --task copy --length 30 --export " + shell_quoted(record));
  const Run reloaded = run_ok("decay --weights " + shell_quoted(record));
  CHECK(lines_of(reloaded.out)[0] == lines_of(drawn.out)[0]);  // length=30, task=copy, ...
  CHECK(reloaded.out.find("# inputs: the export's, 50 steps (length 30), with its h0") !=
        std::string::npos);
  CHECK(rows_of(reloaded.out) == rows_of(drawn.out));
  CHECK(rows_of(run_ok("decay --weights " + shell_quoted(record) + " --length 30").out) ==
        rows_of(drawn.out));
  check_refused("decay --weights " + shell_quoted(record) + " --length 50",
                "--weights " + record +
                    ": length=50 contradicts the inputs: the export has 50 steps (task=copy takes "
                    "length + 20 steps)");
  std::filesystem::remove(record);
}

TEST_CASE("--weights and --inputs: the flag at fault is named, a directory is not a file, and a command without --weights says so") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  check_refused("decay --weights " + shell_quoted(dir),
                "--weights " + dir + ": it is a directory, not a file");
  const std::string small = kWeightsDir + "lstm_small.safetensors";
  check_refused("decay --weights " + shell_quoted(small) + " --inputs " + shell_quoted(dir),
                "--inputs " + dir + ": it is a directory, not a file");
  const std::string nan = temp("nan_inputs.safetensors");
  {  // a [3, 2] float32 tensor 'inputs' holding NaN at [1, 0]
    const std::string header =
        R"({"inputs":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]}})";
    std::string bytes;
    for (int b = 0; b < 8; ++b) bytes += static_cast<char>((header.size() >> (8 * b)) & 0xff);
    bytes += header;
    std::string data(24, '\0');
    data[8 + 2] = '\xc0';  // 0x7fc00000, little-endian
    data[8 + 3] = '\x7f';
    bytes += data;
    std::ofstream(nan, std::ios::binary) << bytes;
  }
  check_refused("decay --weights " + shell_quoted(small) + " --inputs " + shell_quoted(nan),
                "--inputs " + nan +
                    ": tensor 'inputs' holds NaN at [1, 0]: gradscope reads "
                    "finite inputs only");
  check_refused("decay --weights " + shell_quoted(small) + " --inputs " + shell_quoted(nan) +
                    " --sequences 2",
                "--inputs " + nan +
                    ": tensor 'inputs' holds NaN at [1, 0]: gradscope reads "
                    "finite inputs only");
  std::filesystem::remove(nan);
  check_refused("decay --weights " + shell_quoted(small) + " --inputs " +
                    shell_quoted(kWeightsDir + "inputs_i4.safetensors") + " --length 7",
                "--inputs " + kWeightsDir +
                    "inputs_i4.safetensors: the inputs have 4 values per step, the model takes 2");
  check_refused("critical --weights x",
                "critical does not take --weights (decay, sweep, spectrum, saturation, lagsplit, "
                "trainability, train and truncation do)");
  check_refused("bench --save x", "bench does not take --save (decay and train do)");
}

TEST_CASE("scripts/export_weights.py runs as a program") {
  const std::string script = std::string(GRADSCOPE_SOURCE_DIR) + "/scripts/export_weights.py";
  std::ifstream file(script);
  std::string first;
  std::getline(file, first);
  CHECK(first == "#!/usr/bin/env python3");
  CHECK((std::filesystem::status(script).permissions() & std::filesystem::perms::owner_exec) !=
        std::filesystem::perms::none);
}

TEST_CASE("scripts/export_weights.py records a state_dict's RNN nonlinearity, with or without --prefix") {
  const std::string script = std::string(GRADSCOPE_SOURCE_DIR) + "/scripts/export_weights.py";
  // Debian's torch is under /usr/bin/python3 (a pyenv python first on PATH may lack it). Without
  // it the test is reported skipped (CMakeLists.txt: SKIP_REGULAR_EXPRESSION), never passed.
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    MESSAGE("GRADSCOPE_SKIP: /usr/bin/python3 has no torch (apt-get install python3-torch)");
    return;
  }
  const std::string state = temp("relu_state.pt");
  REQUIRE(std::system(("/usr/bin/python3 -c \"import sys, torch; torch.manual_seed(0); "
                       "m = torch.nn.Module(); m.rnn = torch.nn.RNN(3, 5, nonlinearity='relu'); "
                       "torch.save(m.state_dict(), sys.argv[1])\" " +
                       shell_quoted(state))
                          .c_str()) == 0);
  for (const std::string& prefix : {std::string(""), std::string(" --prefix rnn"),
                                    std::string(" --prefix rnn.")}) {
    INFO(prefix);
    const std::string out = temp("relu.safetensors");
    REQUIRE(std::system(("/usr/bin/python3 " + shell_quoted(script) + " " + shell_quoted(state) +
                         " --state-dict --nonlinearity relu" + prefix + " -o " + shell_quoted(out) +
                         " >/dev/null")
                            .c_str()) == 0);
    const Run run = run_ok("decay --weights " + shell_quoted(out));
    CHECK(run.out.find("config=cell=rnn-relu&hidden=5&") != std::string::npos);
    CHECK(run.out.find("the file does not say the RNN's nonlinearity") == std::string::npos);
    std::filesystem::remove(out);
  }
  std::filesystem::remove(state);
}
