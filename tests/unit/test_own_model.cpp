// Your own model (core/io/own_model.h, core/io/safetensors.h): PyTorch's layers read from safetensors
// files give PyTorch's decay curves; a model written and read back is the same model, byte for
// byte; every bad file gets its one message and changes nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "all_cells.h"
#include "fixture_files.h"
#include "io/own_model.h"
#include "io/own_model_in_page.h"
#include "io/safetensors.h"

using namespace gs;

namespace {

const std::string kWeightsDir = std::string(GRADSCOPE_SOURCE_DIR) + "/tests/reference/fixtures/weights/";

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE_MESSAGE(file.good(), "cannot read " << path);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

const unsigned char* data_of(const std::string& bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

std::string load(const std::string& bytes, OwnModel& out, const LoadOptions& options = {}) {
  return load_model(data_of(bytes), bytes.size(), options, out);
}

// The message a bad file gets, checking that the model it was read into is left as it was.
std::string load_error(const std::string& bytes, const LoadOptions& options = {}) {
  OwnModel out;
  out.description = "untouched";
  const std::string error = load(bytes, out, options);
  CHECK(out.description == "untouched");
  CHECK(out.model.hidden_size == 0);
  return error;
}

// A safetensors file from a header written by hand and its data.
std::string raw_file(const std::string& header, const std::string& data) {
  std::string out;
  for (int b = 0; b < 8; ++b) out += static_cast<char>((header.size() >> (8 * b)) & 0xff);
  return out + header + data;
}

// A small model of `cell` drawn as gradscope draws them (input 2, hidden 3, readout 1).
Model small_model(CellKind cell, uint64_t seed = 7, int I = 2, int H = 3) {
  Rng rng(seed);
  return make_model(cell, I, H, 1, Config(), rng);
}

// The same file with one tensor left out, renamed or changed: written from `tensors`.
std::vector<TensorOut> lstm_tensors() {
  const Model m = small_model(CellKind::Lstm);
  return {tensor_out("rnn.weight_ih_l0", m.params.weight_ih),
          tensor_out("rnn.weight_hh_l0", m.params.weight_hh),
          tensor_out("rnn.bias_ih_l0", m.params.bias_ih),
          tensor_out("rnn.bias_hh_l0", m.params.bias_hh)};
}

std::string lstm_file(const std::vector<TensorOut>& tensors) {
  return write_safetensors(tensors, "F32", {});
}

void erase(std::vector<TensorOut>& tensors, const std::string& name) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) tensors.erase(tensors.begin() + i);
}

}  // namespace

TEST_CASE("own model: PyTorch's LSTM, GRU and RNN, and minGRU, minLSTM and LRU checkpoints in their reference code's names, read from safetensors give PyTorch's decay curve to 1e-10, float32 and float64 files") {
  const nlohmann::json reference = gs_test::read_json(kWeightsDir + "weights_reference.json");
  REQUIRE(reference["cases"].size() == 18);
  for (const auto& c : reference["cases"]) {
    const std::string name = c["name"];
    INFO(name);
    LoadOptions options;
    if (!c["layer"].is_null()) {
      options.layer = c["layer"];
      options.layer_given = true;
    }
    if (!c["readout"].is_null()) {
      options.readout = c["readout"];
      options.readout_given = true;
    }
    OwnModel own;
    REQUIRE(load(file_bytes(kWeightsDir + c["weights"].get<std::string>()), own, options) == "");
    CHECK(cell_name(own.model.cell) == c["cell"].get<std::string>());
    CHECK(own.precision == (c["file_dtype"] == "f64" ? Precision::F64 : Precision::F32));
    const std::string input_bytes = file_bytes(kWeightsDir + c["inputs"].get<std::string>());
    std::vector<Mat> inputs;
    std::string what;
    REQUIRE(load_inputs(data_of(input_bytes), input_bytes.size(), inputs, what) == "");
    Config config;
    config.precision = Precision::F64;
    GivenModel given;
    std::vector<std::string> lines;
    REQUIRE(use_own_model(own, &inputs, {"precision"}, false, config, given, lines) == "");
    CHECK(config.length == c["steps"].get<int>());
    CHECK(given.inputs_from == GivenModel::Inputs::Given);
    CHECK((given.seed_grad_h.size() > 0));
    CHECK(lines.size() == 3);
    const Probe probe = run_probe(given, config, config.seed);
    const std::vector<double> expected = c["log10_grad_norm_h"];
    REQUIRE(probe.curve.log10_grad_h.size() == expected.size());
    double worst = 0;
    for (size_t t = 0; t < expected.size(); ++t)
      worst = std::max(worst, std::abs(probe.curve.log10_grad_h[t] - expected[t]));
    MESSAGE(name << ": worst |log10 difference| from PyTorch over " << expected.size()
                 << " steps " << worst << " (log10 ||dL/dh_1|| = " << expected[0] << ")");
    CHECK(worst <= 1e-10);
  }
}

TEST_CASE("own model: a model written as safetensors reads back to the same numbers and writes the same bytes, every cell, f32 and f64") {
  for (CellKind cell : kAllCells)
    for (Precision precision : {Precision::F32, Precision::F64}) {
      INFO(cell_name(cell) << " " << precision_name(precision));
      Model model = small_model(cell, 3, 4, 5);
      if (precision == Precision::F32) model = model_cast<double>(model_cast<float>(model));
      const std::string first = model_to_safetensors(model, precision);
      OwnModel own;
      REQUIRE(load(first, own) == "");
      CHECK(own.model.cell == cell);  // an RNN's nonlinearity is in the metadata
      CHECK(own.cell_recorded);
      CHECK(own.precision == precision);
      CHECK(own.readout_prefix ==  // an LRU's readout is its own C and D
            (has_complex_state(cell) ? "rnn.C_re, rnn.C_im, rnn.D" : "readout."));
      own.model.params.visit([&](const char* name, const auto& tensor) {
        model.params.visit([&](const char* other, const auto& original) {
          if (std::string(name) == other) CHECK(tensor == original);
        });
      });
      const std::string second = model_to_safetensors(own.model, precision);
      CHECK(second == first);
    }
  // A file PyTorch wrote (export_weights.py) reads, writes and reads back to the same weights.
  OwnModel torch_file, again;
  LoadOptions layer1;
  layer1.layer = 1;
  layer1.layer_given = true;
  REQUIRE(load(file_bytes(kWeightsDir + "lstm_f64.safetensors"), torch_file, layer1) == "");
  const std::string written = model_to_safetensors(torch_file.model, Precision::F64);
  REQUIRE(load(written, again) == "");
  CHECK(again.model.params.weight_hh == torch_file.model.params.weight_hh);
  CHECK(again.model.params.weight_out == torch_file.model.params.weight_out);
  CHECK(model_to_safetensors(again.model, Precision::F64) == written);
}

TEST_CASE("own model: a drawn model saved and reloaded gives exactly the drawn model's decay curve") {
  for (CellKind cell : kAllCells)
    for (Precision precision : {Precision::F32, Precision::F64}) {
      INFO(cell_name(cell) << " " << precision_name(precision));
      Config config;
      config.precision = precision;
      config.hidden = 9;
      config.length = 40;
      config.cells = {cell};
      const Probe drawn = run_probe(cell, config, 4);
      OwnModel own;
      REQUIRE(load(model_to_safetensors(drawn.model, precision), own) == "");
      Config loaded = Config();  // defaults: cell, hidden and precision come from the file
      loaded.length = 40;
      GivenModel given;
      std::vector<std::string> lines;
      REQUIRE(use_own_model(own, nullptr, {}, false, loaded, given, lines) == "");
      CHECK(loaded.hidden == 9);
      CHECK(loaded.cells == std::vector<CellKind>{cell});
      CHECK(loaded.precision == precision);
      CHECK(given.inputs_from == GivenModel::Inputs::Task);
      CHECK(given.seed_grad_h.size() == 0);  // the task loss through the file's readout
      const Probe reloaded = run_probe(given, loaded, 4);
      CHECK(reloaded.curve.log10_grad_h == drawn.curve.log10_grad_h);
      CHECK(reloaded.seed_grad_h == drawn.seed_grad_h);
    }
}

TEST_CASE("own model: the inputs, the seed gradient and the keys that contradict the file") {
  Model model = small_model(CellKind::Gru, 5, 3, 4);  // 3 inputs: not the adding task's 2
  OwnModel own;
  REQUIRE(load(model_to_safetensors(model, Precision::F64), own) == "");
  Config config;
  GivenModel given;
  std::vector<std::string> lines;
  REQUIRE(use_own_model(own, nullptr, {}, false, config, given, lines) == "");
  CHECK(given.inputs_from == GivenModel::Inputs::Normal);
  // the readout (1 output) makes the seed: W^T (1) / sqrt(1)
  CHECK(given.seed_grad_h.isApprox(model.params.weight_out.transpose()));
  CHECK(given.model.output_size == 0);
  CHECK(lines[1].find("standard normal") != std::string::npos);
  const Probe probe = run_probe(given, config, 2);
  CHECK(probe.sample.length() == 50);
  CHECK(probe.seed_grad_h.isApprox(model.params.weight_out.transpose()));

  LoadOptions no_readout;
  no_readout.readout = "none";
  no_readout.readout_given = true;
  REQUIRE(load(model_to_safetensors(model, Precision::F64), own, no_readout) == "");
  config = Config();
  lines.clear();
  REQUIRE(use_own_model(own, nullptr, {}, false, config, given, lines) == "");
  CHECK(given.seed_grad_h.isApprox(Mat::Constant(4, 1, 0.5)));  // (1, 1, 1, 1) / sqrt(4)
  CHECK(lines[2].find("how far back h_T depends on earlier states") != std::string::npos);

  const auto refused = [&](std::vector<std::string> keys, const std::string& text,
                           const std::vector<Mat>* inputs = nullptr, bool sweeps = false) {
    Config c;
    REQUIRE(parse_config(c, text) == "");
    const Config before = c;
    GivenModel g;
    std::vector<std::string> l;
    const std::string error = use_own_model(own, inputs, keys, sweeps, c, g, l);
    CHECK(to_text(c) == to_text(before));  // nothing changed
    CHECK(l.empty());
    return error;
  };
  CHECK(refused({"hidden"}, "hidden=64") ==
        "hidden=64 contradicts the file: its layer has hidden size 4");
  CHECK(refused({"cell"}, "cell=lstm") ==
        "cell=lstm contradicts the file: its layer is a GRU (weight_hh has 3H rows)");
  CHECK(refused({"cell"}, "cell=gru,lstm") ==
        "cell=gru,lstm contradicts the file: its layer is a GRU (weight_hh has 3H rows)");
  CHECK(refused({"scale"}, "scale=2") ==
        "scale is set, but the weights come from the file (init, scale, radius, forget_bias, "
        "chrono, r_min, r_max and max_phase shape drawn weights only)");
  // The table's column decides: every key that draws weights is refused by name when given, and
  // a key that applies as without a model (here: those that change the model or its data) is not.
  for (const ConfigKey& key : config_keys()) {
    if (key.with_own_model == WithOwnModel::DrawsWeights) {
      CAPTURE(key.name);
      CHECK(refused({key.name}, "").rfind(std::string(key.name) + " is set, but", 0) == 0);
    } else if (key.with_own_model == WithOwnModel::Applies && (key.affects & kAffectsModel)) {
      CAPTURE(key.name);
      Config c;
      GivenModel g;
      std::vector<std::string> l;
      CHECK(use_own_model(own, nullptr, {key.name}, false, c, g, l) == "");
    }
  }
  const std::vector<Mat> wrong(10, Mat::Zero(2, 1)), right(10, Mat::Zero(3, 1));
  CHECK(refused({}, "", &wrong) == "the inputs have 2 values per step, the model takes 3");
  CHECK(refused({"length"}, "length=20", &right) ==
        "length=20 contradicts the inputs: the inputs file has 10 steps");
  CHECK(refused({}, "sequences=2", &right) ==
        "sequences=2 is invalid with inputs from a file: there is one sequence (use 1)");
  CHECK(refused({}, "lengths=5,20", &right, true) ==
        "lengths=5,20 do not fit the inputs: they have 10 steps, and each length takes the "
        "first steps of them");

  // Memory: the inputs count too (steps x (hidden + input size + 10)).
  OwnModel wide;
  REQUIRE(load(model_to_safetensors(small_model(CellKind::Gru, 5, 1000, 4), Precision::F32),
               wide) == "");
  Config long_config;
  REQUIRE(parse_config(long_config, "length=5000") == "");
  CHECK(use_own_model(wide, nullptr, {}, false, long_config, given, lines) ==
        "length 5000 with the model's hidden size 4 and input size 1000 is too large: steps x "
        "(hidden + input size + 10) must be <= 5000000 (BPTT keeps every step)");

  // An RNN file without the nonlinearity in it: cell= says it; with it: cell= must agree.
  std::vector<TensorOut> plain = {tensor_out("weight_ih_l0", Mat(Mat::Ones(4, 2))),
                                  tensor_out("weight_hh_l0", Mat(Mat::Identity(4, 4)))};
  REQUIRE(load(write_safetensors(plain, "F32", {}), own) == "");
  CHECK(own.model.cell == CellKind::RnnTanh);
  CHECK(own.model.params.bias_ih == Vec::Zero(4));  // bias=False: zeros
  Config relu;
  REQUIRE(parse_config(relu, "cell=rnn-relu") == "");
  REQUIRE(use_own_model(own, nullptr, {"cell"}, false, relu, given, lines) == "");
  CHECK(given.model.cell == CellKind::RnnRelu);
  REQUIRE(load(model_to_safetensors(small_model(CellKind::RnnSigmoid), Precision::F32), own) == "");
  CHECK(refused({"cell"}, "cell=rnn-relu") ==
        "cell=rnn-relu contradicts the file: the file says its RNN is rnn-sigmoid");
}

TEST_CASE("own model: minGRU and minLSTM state_dicts as minGRU-pytorch writes them") {
  // minGRU(dim = 3, expansion_factor = 2): to_hidden_and_gate = Linear(3, 2 * 6, bias=False),
  // and a to_out Linear that is not part of the recurrence
  Mat w(12, 3);
  for (Eigen::Index k = 0; k < w.size(); ++k) w.data()[k] = 0.01 * static_cast<double>(k) - 0.15;
  OwnModel own;
  REQUIRE(load(write_safetensors({tensor_out("to_hidden_and_gate.weight", w),
                                  tensor_out("to_out.weight", Mat(Mat::Ones(3, 6)))},
                                 "F32", {}),
               own) == "");
  CHECK(own.model.cell == CellKind::MinGru);
  CHECK(own.model.hidden_size == 6);
  CHECK(own.model.input_size == 3);
  CHECK(own.model.params.weight_ih == w.cast<float>().cast<double>());
  CHECK(own.model.params.bias_ih == Vec::Zero(12));  // bias=False
  CHECK(own.model.params.weight_hh.size() == 0);
  // a minLSTM under a prefix, with its bias
  REQUIRE(load(write_safetensors({tensor_out("layers.0.to_hidden_and_f_i_gate.weight", Mat(Mat::Ones(9, 2))),
                                  tensor_out("layers.0.to_hidden_and_f_i_gate.bias", Vec(Vec::Ones(9)))},
                                 "F64", {}),
               own) == "");
  CHECK(own.model.cell == CellKind::MinLstm);
  CHECK(own.model.hidden_size == 3);
  // rows that are no whole number of gate blocks
  CHECK(load_error(write_safetensors({tensor_out("to_hidden_and_gate.weight", Mat(Mat::Ones(7, 2)))},
                                     "F32", {})) ==
        "tensor 'to_hidden_and_gate.weight' has shape [7, 2], expected [2 H, I] for a minGRU "
        "(rows h z)");
}

TEST_CASE("own model: an LRU as its reference code names it, D elementwise or a matrix") {
  // N = 4 complex units, I = O = 3: the reference's D is then a vector (y += D * x)
  const int N = 4, I = 3;
  Rng rng(21);
  const auto draw = [&](int rows, int cols) {
    Mat m(rows, cols);
    for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = rng.normal();
    return m;
  };
  const Mat nu = draw(N, 1), theta = draw(N, 1), gamma = draw(N, 1), b_re = draw(N, I),
            b_im = draw(N, I), c_re = draw(I, N), c_im = draw(I, N), d = draw(I, 1);
  std::vector<TensorOut> tensors = {
      tensor_out("lru.nu_log", Vec(nu.col(0))),    tensor_out("lru.theta_log", Vec(theta.col(0))),
      tensor_out("lru.gamma_log", Vec(gamma.col(0))), tensor_out("lru.B_re", b_re),
      tensor_out("lru.B_im", b_im),                tensor_out("lru.C_re", c_re),
      tensor_out("lru.C_im", c_im),                tensor_out("lru.D", Vec(d.col(0)))};
  OwnModel own;
  REQUIRE(load(write_safetensors(tensors, "F64", {}), own) == "");
  CHECK(own.model.cell == CellKind::Lru);
  CHECK(own.model.hidden_size == 2 * N);
  CHECK(own.model.input_size == I);
  CHECK(own.model.output_size == I);
  CHECK(own.readout_prefix == "lru.C_re, lru.C_im, lru.D");
  const Params& p = own.model.params;
  CHECK(p.nu_log == nu.col(0));
  CHECK(p.weight_ih.bottomRows(N) == b_im);
  CHECK(p.weight_out.rightCols(N) == -c_im);  // Re(C h) = C_re Re h - C_im Im h
  CHECK(p.skip == Mat(d.col(0).asDiagonal()));
  // written back (gradscope's own names under "rnn.", D as a matrix) and read again: the same
  OwnModel again;
  REQUIRE(load(model_to_safetensors(own.model, Precision::F64), again) == "");
  CHECK(again.model.params.skip == p.skip);
  CHECK(again.model.params.theta_log == p.theta_log);
  // what is missing or misshapen is named
  std::vector<TensorOut> no_gamma = tensors;
  erase(no_gamma, "lru.gamma_log");
  CHECK(load_error(write_safetensors(no_gamma, "F32", {})) ==
        "tensor 'lru.gamma_log' is missing ('lru.nu_log' is there: an LRU has nu_log, theta_log, "
        "gamma_log, B_re, B_im, C_re, C_im and D)");
  // the page takes the file's hidden key (the complex units), not its 2N reals
  Config page;
  GivenModel given;
  std::vector<std::string> lines;
  REQUIRE(page_use_own_model(own, true, page, given, lines) == "");
  CHECK(page.hidden == N);
  // no metadata names the cell, yet it is no RNN: --cell rnn-tanh contradicts it
  Config typed;
  REQUIRE(parse_config(typed, "cell=rnn-tanh") == "");
  CHECK(use_own_model(own, nullptr, {"cell"}, false, typed, given, lines) ==
        "cell=rnn-tanh contradicts the file: its layer is an LRU (its weights are named nu_log, "
        "B_re, ...)");
  // --readout names a Linear: the LRU's is its own C and D; none drops them, and what --save then
  // writes (no C, no D) reads back as an LRU without a readout
  LoadOptions other, none;
  other.readout = "head", other.readout_given = true;
  none.readout = "none", none.readout_given = true;
  CHECK(load_error(write_safetensors(tensors, "F64", {}), other) ==
        "--readout 'head' is for a torch layer's Linear: an LRU's readout is its own C and D "
        "('lru.C_re'); only --readout none changes it");
  REQUIRE(load(write_safetensors(tensors, "F64", {}), own, none) == "");
  CHECK(own.model.output_size == 0);
  REQUIRE(load(model_to_safetensors(own.model, Precision::F64), again) == "");
  CHECK(again.model.output_size == 0);
  CHECK(again.model.params.nu_log == nu.col(0));
  // a value out of range is named before any tensor is assembled
  std::vector<TensorOut> infinite = tensors;
  Mat bad = b_im;
  bad(1, 2) = std::numeric_limits<double>::infinity();
  infinite[4] = tensor_out("lru.B_im", bad);
  CHECK(load_error(write_safetensors(infinite, "F64", {})).find("tensor 'lru.B_im' holds") == 0);
  std::vector<TensorOut> wrong = tensors;
  wrong[4] = tensor_out("lru.B_im", draw(N, I + 1));
  CHECK(load_error(write_safetensors(wrong, "F32", {})) ==
        "tensor 'lru.B_im' has shape [4, 4], expected [N, I] = [4, 3] for an LRU with N = 4 (as "
        "'lru.nu_log')");
}

TEST_CASE("own model: F16 and BF16 tensors are read exactly, widened to float32") {
  // little-endian 16-bit words: F16 1, -2, 0.5, 65504 (the largest), 2^-24 (the smallest
  // subnormal), -0, 0.0999755859375 (0x2E66) and 0; BF16 1, 3.140625, -2^-10 and
  // (1 + 61/128) 2^-67 (0x1E3D)
  const std::vector<uint16_t> half = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000, 0x2E66, 0};
  const std::vector<uint16_t> bf16 = {0x3F80, 0x4049, 0xBA80, 0x1E3D};
  std::string data;
  for (uint16_t w : half) data += static_cast<char>(w & 0xff), data += static_cast<char>(w >> 8);
  for (uint16_t w : bf16) data += static_cast<char>(w & 0xff), data += static_cast<char>(w >> 8);
  OwnModel own;
  REQUIRE(load(raw_file(R"({"weight_hh_l0": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]},)"
                        R"( "bias_hh_l0": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]},)"
                        R"( "bias_ih_l0": {"dtype": "F16", "shape": [2], "data_offsets": [12, 16]},)"
                        R"( "weight_ih_l0": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [16, 24]}})",
                        data),
               own) == "");
  const Params& p = own.model.params;
  CHECK(p.weight_hh(0, 0) == 1.0);
  CHECK(p.weight_hh(0, 1) == -2.0);
  CHECK(p.weight_hh(1, 0) == 0.5);
  CHECK(p.weight_hh(1, 1) == 65504.0);
  CHECK(p.bias_hh(0) == std::ldexp(1.0, -24));
  CHECK(p.bias_hh(1) == 0.0);
  CHECK(std::signbit(p.bias_hh(1)));
  CHECK(p.bias_ih(0) == 0.0999755859375);  // 0x2E66 = 1.599609375 x 2^-4
  CHECK(p.weight_ih(0, 0) == 1.0);
  CHECK(p.weight_ih(0, 1) == 3.140625);
  CHECK(p.weight_ih(1, 0) == -0.0009765625);
  CHECK(p.weight_ih(1, 1) == static_cast<double>(std::ldexp(1.0f + 61.0f / 128.0f, -67)));
  CHECK(own.precision == Precision::F32);  // half precision computes in float32
  // a half infinity is refused as any non-finite value
  CHECK(load_error(raw_file(R"({"weight_hh_l0": {"dtype": "F16", "shape": [1, 1], "data_offsets": [0, 2]},)"
                            R"( "weight_ih_l0": {"dtype": "F16", "shape": [1, 1], "data_offsets": [2, 4]}})",
                            std::string("\x00\x3c\x00\x7c", 4))) ==
        "tensor 'weight_ih_l0' holds +Inf at [0, 0]: gradscope reads finite weights only");
}

TEST_CASE("own model: a bad safetensors file gets one message and changes nothing") {
  const std::string good = lstm_file(lstm_tensors());
  OwnModel ok;
  REQUIRE(load(good, ok) == "");

  // Not safetensors, truncated, or the header lies.
  CHECK(load_error("hello, I am not a model at all") ==
        "not a safetensors file: after the 8-byte header length comes no JSON header (which "
        "starts with '{')");
  CHECK(load_error(std::string("PK\x03\x04zipzipzipzip", 16)) ==
        "not a safetensors file: it is a zip archive, as torch.save writes; export the layer "
        "with scripts/export_weights.py");
  CHECK(load_error("abc") ==
        "not a safetensors file (or truncated): it has 3 bytes, and a safetensors file starts "
        "with an 8-byte header length");
  CHECK(load_error(good.substr(0, 40)) ==
        "the file is truncated: its header length says " +
            std::to_string(static_cast<unsigned char>(good[0]) +
                           256 * static_cast<unsigned char>(good[1])) +
            " bytes, but only 32 bytes follow");
  const std::string cut = good.substr(0, good.size() - 10);
  const std::string cut_error = load_error(cut);
  CHECK(cut_error.rfind("the file is truncated, or its header lies: tensor 'rnn.bias_hh_l0' ends "
                        "at byte ",
                        0) == 0);
  CHECK(cut_error.find("of the data, which has") != std::string::npos);
  std::string broken = good;
  broken[9] = '[';
  CHECK(load_error(broken).find("-byte header is not valid JSON") != std::string::npos);
  CHECK(load_error(raw_file("[1, 2]  ", "")) ==
        "not a safetensors file: after the 8-byte header length comes no JSON header (which "
        "starts with '{')");
  CHECK(load_error(raw_file(R"({"a": 1})", "")) ==
        "tensor 'a' in the header is malformed: expected {\"dtype\": \"F32\", \"shape\": [...], "
        "\"data_offsets\": [begin, end]} with non-negative integers");
  CHECK(load_error(raw_file(R"({"a": {"dtype": "F32", "shape": [2, -3], "data_offsets": [0, 24]}})",
                            std::string(24, '\0'))) ==
        "tensor 'a' in the header is malformed: expected {\"dtype\": \"F32\", \"shape\": [...], "
        "\"data_offsets\": [begin, end]} with non-negative integers");
  const std::string eight_floats(32, '\0');
  CHECK(load_error(raw_file(R"({"w": {"dtype": "F32", "shape": [3, 3], "data_offsets": [0, 32]}})",
                            eight_floats)) ==
        "the header lies about tensor 'w': shape [3, 3] of F32 takes 36 bytes, its "
        "data_offsets [0, 32] give 32");
  CHECK(load_error(raw_file(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [16, 0]}})",
                            eight_floats)) ==
        "the header lies about tensor 'w': its data_offsets [16, 0] run backwards");
  CHECK(load_error(raw_file(R"({"w": {"dtype": "F32", "shape": [99999999999, 99999999999], "data_offsets": [0, 32]}})",
                            eight_floats)) ==
        "the header lies about tensor 'w': shape [99999999999, 99999999999] of F32 takes more "
        "bytes than any file, its data_offsets [0, 32] give 32");
  CHECK(load_error(raw_file(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [32, 48]}})",
                            eight_floats)) ==
        "the file is truncated, or its header lies: tensor 'w' ends at byte 48 of the data, "
        "which has 32 bytes");
  CHECK(load_error(raw_file(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},)"
                            R"( "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
                            eight_floats)) ==
        "the header lies: tensors 'a' (bytes 0-16) and 'b' (bytes 8-24) overlap");
  CHECK(load_error(raw_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                            R"( "b": {"dtype": "F32", "shape": [4], "data_offsets": [16, 32]}})",
                            eight_floats)) ==
        "the header lies: bytes 8-16 of the data belong to no tensor");
  CHECK(load_error(raw_file(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})",
                            eight_floats)) ==
        "the header lies: bytes 16-32 of the data (after the last tensor) belong to no tensor");

  // Wrong dtype: named, with the tensor.
  CHECK(load_error(raw_file(R"({"rnn.weight_hh_l0": {"dtype": "Q8", "shape": [4], "data_offsets": [0, 4]}})",
                            std::string(4, '\0'))) ==
        "tensor 'rnn.weight_hh_l0' has dtype 'Q8', which safetensors does not define");
  CHECK(load_error(raw_file(R"({"rnn.weight_hh_l0": {"dtype": "I16", "shape": [4, 4], "data_offsets": [0, 32]},)"
                            R"( "rnn.weight_ih_l0": {"dtype": "I16", "shape": [4, 2], "data_offsets": [32, 48]}})",
                            std::string(48, '\0'))) ==
        "tensor 'rnn.weight_hh_l0' is I16: gradscope reads F16, BF16 (widened to float32), F32 "
        "(float32) and F64 (float64) tensors; convert it with .float() or .double() "
        "(scripts/export_weights.py does)");

  // Missing tensors, shapes that fit no cell or each other.
  std::vector<TensorOut> t = lstm_tensors();
  erase(t, "rnn.weight_hh_l0");
  CHECK(load_error(lstm_file(t)) ==
        "tensor 'rnn.weight_hh_l0' is missing ('rnn.weight_ih_l0' is there)");
  t = lstm_tensors();
  erase(t, "rnn.bias_hh_l0");
  CHECK(load_error(lstm_file(t)) ==
        "tensor 'rnn.bias_hh_l0' is missing while 'rnn.bias_ih_l0' is there (bias=False drops "
        "both)");
  CHECK(load_error(lstm_file({tensor_out("model.fc.weight", Mat(Mat::Ones(2, 2)))})) ==
        "no recurrent layer in the file: no tensor is named <prefix>weight_ih_l0 (torch.nn.RNN, "
        "LSTM, GRU), <prefix>weight_ih (RNNCell, LSTMCell, GRUCell) or "
        "<prefix>to_hidden_and_gate.weight (minGRU; to_hidden_and_f_i_gate: minLSTM) or "
        "<prefix>nu_log (LRU); it has "
        "'model.fc.weight'");
  t = lstm_tensors();
  t[1] = tensor_out("rnn.weight_hh_l0", Mat(Mat::Ones(6, 3)));
  CHECK(load_error(lstm_file(t)) ==
        "tensor 'rnn.weight_hh_l0' has shape [6, 3], which fits no cell: for H = 3 columns its "
        "rows must be H (RNN), 3H (GRU) or 4H (LSTM)");
  t = lstm_tensors();
  t[0] = tensor_out("rnn.weight_ih_l0", Mat(Mat::Ones(9, 2)));
  CHECK(load_error(lstm_file(t)) ==
        "tensor 'rnn.weight_ih_l0' has shape [9, 2], expected [12, I] for an LSTM with H = 3 "
        "(as 'rnn.weight_hh_l0' [12, 3])");
  t = lstm_tensors();
  t[2] = tensor_out("rnn.bias_ih_l0", Vec(Vec::Ones(9)));
  CHECK(load_error(lstm_file(t)) ==
        "tensor 'rnn.bias_ih_l0' has shape [9], expected [12] for an LSTM with H = 3 (as "
        "'rnn.weight_hh_l0' [12, 3])");
  t = lstm_tensors();
  t[1].shape = {36};
  CHECK(load_error(lstm_file(t)) == "tensor 'rnn.weight_hh_l0' has shape [36]: expected a matrix");
  t = lstm_tensors();
  t.push_back(tensor_out("rnn.weight_hr_l0", Mat(Mat::Ones(2, 3))));
  CHECK(load_error(lstm_file(t)) ==
        "the LSTM has a projection ('rnn.weight_hr_l0', proj_size = 2): gradscope reads LSTMs "
        "without proj_size");
  CHECK(load_error(write_safetensors(lstm_tensors(), "F32", {{"cell:rnn.", "gru"}})) ==
        "the file's metadata says 'cell:rnn.' = 'gru', but the shapes make it an LSTM with H = 3 (as "
        "'rnn.weight_hh_l0' [12, 3])");
  // a GRU's three gate blocks under a minLSTM's name (also three): the names decide, not the count
  const Model gru = small_model(CellKind::Gru);
  CHECK(load_error(write_safetensors({tensor_out("rnn.weight_ih_l0", gru.params.weight_ih),
                                      tensor_out("rnn.weight_hh_l0", gru.params.weight_hh)},
                                     "F32", {{"cell:rnn.", "minlstm"}})) ==
        "the file's metadata says 'cell:rnn.' = 'minlstm', but the shapes make it a GRU with H = " +
            std::to_string(gru.hidden_size) + " (as 'rnn.weight_hh_l0' [" +
            std::to_string(3 * gru.hidden_size) + ", " + std::to_string(gru.hidden_size) + "])");
  CHECK(load_error(lstm_file({tensor_out("rnn.weight_ih_l0", Mat(Mat::Ones(1025, 2))),
                              tensor_out("rnn.weight_hh_l0", Mat(Mat::Ones(1025, 1025)))})) ==
        "tensor 'rnn.weight_hh_l0' has shape [1025, 1025]: its hidden size 1025 is too large "
        "(hidden=1025 is invalid: expected an integer in [1, 1024])");

  // NaN or Inf in a weight: the tensor and where.
  t = lstm_tensors();
  t[1].values[2 * 3 + 1] = std::numeric_limits<double>::quiet_NaN();
  CHECK(load_error(lstm_file(t)) ==
        "tensor 'rnn.weight_hh_l0' holds NaN at [2, 1]: gradscope reads finite weights only");
  t = lstm_tensors();
  t[3].values[5] = -std::numeric_limits<double>::infinity();
  CHECK(load_error(write_safetensors(t, "F64", {})) ==
        "tensor 'rnn.bias_hh_l0' holds -Inf at [5]: gradscope reads finite weights only");

  // Several layers: a prefix to choose, a layer that is not there; layer 0 by default, said.
  t = lstm_tensors();
  for (TensorOut tensor : lstm_tensors()) {
    tensor.name = "decoder." + tensor.name;
    t.push_back(tensor);
  }
  CHECK(load_error(lstm_file(t)) ==
        "the file holds 2 recurrent layers, under 'decoder.rnn.' and 'rnn.': choose one with "
        "its prefix");
  LoadOptions prefix;
  prefix.prefix = "encoder";
  prefix.prefix_given = true;
  CHECK(load_error(lstm_file(t), prefix) ==
        "no recurrent layer under the prefix 'encoder': the file has them under 'decoder.rnn.' "
        "and 'rnn.'");
  prefix.prefix = "decoder.rnn";
  REQUIRE(load(lstm_file(t), ok, prefix) == "");
  t = lstm_tensors();
  for (TensorOut tensor : lstm_tensors()) {
    tensor.name.replace(tensor.name.size() - 1, 1, "1");
    tensor.values.assign(tensor.values.size(), 0.5);
    if (tensor.name == "rnn.weight_ih_l1") {  // layer 1 reads layer 0's 3 units
      tensor.shape = {12, 3};
      tensor.values.assign(36, 0.5);
    }
    t.push_back(tensor);
  }
  OwnModel two;
  REQUIRE(load(lstm_file(t), two) == "");
  CHECK(two.note == "the file has 2 layers under 'rnn.'; layer 0 is read (--layer K picks another)");
  std::vector<TensorOut> bare = t;  // a bare nn.LSTM's state_dict: no prefix to name
  for (TensorOut& tensor : bare) tensor.name = tensor.name.substr(4);
  OwnModel bare_two;
  REQUIRE(load(lstm_file(bare), bare_two) == "");
  CHECK(bare_two.note == "the file has 2 layers; layer 0 is read (--layer K picks another)");
  CHECK(two.description.find("(layer 0 of 2)") != std::string::npos);
  LoadOptions layer;
  layer.layer = 1;
  layer.layer_given = true;
  REQUIRE(load(lstm_file(t), two, layer) == "");
  CHECK(two.note == "");
  CHECK(two.model.input_size == 3);
  CHECK(two.model.params.weight_hh == Mat::Constant(12, 3, 0.5));
  layer.layer = 2;
  CHECK(load_error(lstm_file(t), layer) ==
        "layer 2 is not in the file: under 'rnn.' it has layers 0, 1");

  // A readout that is not there, or does not fit.
  LoadOptions readout;
  readout.readout = "head";
  readout.readout_given = true;
  CHECK(load_error(good, readout) == "no readout 'head.': the file has no tensor 'head.weight'");
  t = lstm_tensors();
  t.push_back(tensor_out("head.weight", Mat(Mat::Ones(2, 5))));
  CHECK(load_error(lstm_file(t), readout) ==
        "tensor 'head.weight' has shape [2, 5], expected [O, 3] for a readout of an LSTM with "
        "H = 3 (as 'rnn.weight_hh_l0' [12, 3])");

  // Over the size limit: refused before a byte is read.
  CHECK(file_size_error(kMaxWeightsFileBytes) == "");
  CHECK(file_size_error(kMaxWeightsFileBytes + 1) ==
        "the file has 268435457 bytes, over gradscope's limit of 256 MB (268435456 bytes): "
        "export the recurrent layer alone (scripts/export_weights.py)");
  OwnModel untouched;
  CHECK(load_model(data_of(good), kMaxWeightsFileBytes + 1, {}, untouched) ==
        file_size_error(kMaxWeightsFileBytes + 1));
}

TEST_CASE("own model: a bad decay export or inputs file gets one message") {
  CHECK(load_error("{\"weights\": {\"weight_ih_l0\": [[1]]") ==
        "not a safetensors file, and not valid JSON either (it starts with '{', as a decay "
        "--export record does)");
  CHECK(load_error("{\"cells\": []}") ==
        "a JSON file without 'weights': gradscope reads decay and spectrum --export records "
        "(this looks like train --export's; train --save writes a model as safetensors)");
  const std::string record =
      R"({"cell": "rnn-tanh", "precision": "f64", "weights": {"weight_ih_l0": [[1, 2]],)"
      R"( "weight_hh_l0": [["overflow"]], "bias_ih_l0": [0], "bias_hh_l0": [0], "weight_out": [],)"
      R"( "bias_out": []}, "inputs": [[1, 2]], "h0": [0], "seed_grad_h": [1]})";
  CHECK(load_error(record) ==
        "the export's 'weight_hh_l0' holds a value that is not a finite number at [0, 0]");
  std::string fine = record;
  fine.replace(fine.find("[[\"overflow\"]]"), 14, "[[0.5]]");
  OwnModel own;
  REQUIRE(load(fine, own) == "");
  CHECK(own.from_export);
  CHECK(own.model.output_size == 0);
  CHECK(own.inputs.size() == 1);
  std::string no_inputs = fine;
  no_inputs.replace(no_inputs.find("\"inputs\": [[1, 2]]"), 18, "\"inputs\": [[1]]");
  CHECK(load_error(no_inputs) == "the export's 'inputs' has shape [1, 1], expected [any, 2]");

  std::vector<Mat> inputs;
  std::string what;
  const std::string two = write_safetensors(
      {tensor_out("a", Mat(Mat::Ones(3, 2))), tensor_out("b", Mat(Mat::Ones(3, 2)))}, "F32", {});
  CHECK(load_inputs(data_of(two), two.size(), inputs, what) ==
        "no inputs: the file has 2 tensors and none is named 'inputs'");
  const std::string flat = write_safetensors({tensor_out("inputs", Vec(Vec::Ones(3)))}, "F32", {});
  CHECK(load_inputs(data_of(flat), flat.size(), inputs, what) ==
        "tensor 'inputs' has shape [3]: expected [T, I], one row of inputs per step");
  CHECK(inputs.empty());
}

TEST_CASE("own model: a layer number not in torch's plain decimal names no layer, and every tensor looked up is checked") {
  // rnn.weight_ih_l00 once read as layer 0, whose weight_ih_l0 the loader then did not find
  std::vector<TensorOut> t = lstm_tensors();
  t[0].name = "rnn.weight_ih_l00";
  CHECK(load_error(lstm_file(t)) ==
        "no recurrent layer in the file: no tensor is named <prefix>weight_ih_l0 (torch.nn.RNN, "
        "LSTM, GRU), <prefix>weight_ih (RNNCell, LSTMCell, GRUCell) or "
        "<prefix>to_hidden_and_gate.weight (minGRU; to_hidden_and_f_i_gate: minLSTM) or "
        "<prefix>nu_log (LRU); it has "
        "'rnn.weight_ih_l00', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0'; "
        "'rnn.weight_ih_l00' is no layer's name: torch writes the layer number in plain decimal "
        "(weight_ih_l0, weight_ih_l12)");
  for (const char* name : {"rnn.weight_ih_l01", "rnn.weight_ih_l+1", "rnn.weight_ih_l1234567"}) {
    INFO(name);
    t = lstm_tensors();
    t[0].name = name;
    CHECK(load_error(lstm_file(t)).rfind("no recurrent layer in the file:", 0) == 0);
  }
  // A stray non-canonical name next to the real layer is not a second layer.
  t = lstm_tensors();
  t.push_back(tensor_out("rnn.weight_ih_l00", Mat(Mat::Ones(12, 2))));
  OwnModel own;
  REQUIRE(load(lstm_file(t), own) == "");
  CHECK(own.note == "");
  // Layer 10 is read as 10 (not 1, not 0).
  t = lstm_tensors();
  for (TensorOut& tensor : t) tensor.name.replace(tensor.name.size() - 1, 1, "10");
  LoadOptions ten;
  ten.layer = 10;
  ten.layer_given = true;
  REQUIRE(load(lstm_file(t), own, ten) == "");
  CHECK(own.description.find("'rnn.weight_ih_l10' (layer 10 of 1") != std::string::npos);
}

TEST_CASE("own model: a header over 1 MB is refused before it is parsed, and a tensor named twice is refused") {
  // 1 MB + 8 bytes of header, all there: refused by its length, not by what it holds
  std::string header = R"({"__metadata__": {"pad": ")";
  header += std::string((std::size_t{1} << 20) + 8 - header.size() - 3, 'x') + "\"}}";
  REQUIRE(header.size() == (std::size_t{1} << 20) + 8);
  CHECK(load_error(raw_file(header, "")) ==
        "the header length says 1048584 bytes, over gradscope's limit of 1 MB (1048576 bytes) "
        "for a safetensors header, which lists the tensors (a few KB in real files)");
  std::vector<Mat> inputs;
  std::string what;
  const std::string big = raw_file(header, "");
  CHECK(load_inputs(data_of(big), big.size(), inputs, what) == load_error(big));
  // A header of exactly 1 MB is read.
  header = R"({"__metadata__": {"pad": ")";
  header += std::string((std::size_t{1} << 20) - header.size() - 3, 'x') + "\"}}";
  const std::string limit = raw_file(header, "");
  Safetensors parsed;
  CHECK(parse_safetensors(data_of(limit), limit.size(), parsed) == "");

  // The same tensor twice: JSON keeps the last, which would drop the other silently.
  const std::string eight_floats(32, '\0');
  CHECK(load_error(raw_file(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},)"
                            R"( "w": {"dtype": "F32", "shape": [4], "data_offsets": [16, 32]}})",
                            eight_floats)) ==
        "the header lists tensor 'w' twice: a file holds each tensor once");
  CHECK(load_error(raw_file(R"({"__metadata__": {"cell:rnn.": "rnn-relu", "cell:rnn.": "rnn-tanh"},)"
                            R"( "w": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}})",
                            eight_floats)) ==
        "the header is malformed: the key 'cell:rnn.' appears twice in one object");
  CHECK(load_error(raw_file(R"({"w": {"dtype": "F32", "dtype": "F64", "shape": [8], "data_offsets": [0, 32]}})",
                            eight_floats)) ==
        "the header is malformed: the key 'dtype' appears twice in one object");
}

TEST_CASE("own model: a JSON record over 64 MB or 8,000,000 values, or with a key twice, is refused before it is parsed") {
  // Checked on the size alone: the bytes are not looked at past the first.
  std::string huge(kMaxExportBytes + 1, ' ');
  huge[0] = '{';
  CHECK(load_error(huge) ==
        "the JSON record has 67108865 bytes, over gradscope's limit of 64 MB (67108864 bytes) "
        "for a decay --export record, which is parsed whole: write the model as safetensors "
        "instead (decay --save FILE, or scripts/export_weights.py), which holds any model "
        "gradscope computes");
  huge.clear();
  huge.shrink_to_fit();
  // Short numbers take ~20 times their text once parsed: counted first.
  std::string many = "{\"weights\": [0";
  many.reserve(2 * kMaxExportValues + 64);
  for (std::size_t i = 0; i < kMaxExportValues; ++i) many += ",0";
  many += "]}";
  CHECK(load_error(many) ==
        "the JSON record holds more than 8000000 values, over gradscope's limit for a decay "
        "--export record: write the model as safetensors instead (decay --save FILE, or "
        "scripts/export_weights.py), which holds any model gradscope computes");
  CHECK(load_error(R"({"cell": "gru", "cell": "lstm", "weights": {}})") ==
        "the JSON record names 'cell' twice in one object: which one is meant is not clear");
}

TEST_CASE("own model: an export's malformed matrix says the shape it expected") {
  const std::string record =
      R"({"cell": "gru", "precision": "f64", "weights": {"weight_ih_l0": [[1, 2]],)"
      R"( "weight_hh_l0": WHH, "bias_ih_l0": [0], "bias_hh_l0": [0], "weight_out": [],)"
      R"( "bias_out": []}, "inputs": [[1, 2]], "h0": [0], "seed_grad_h": [1]})";
  auto with = [&](const std::string& whh) {
    std::string text = record;
    text.replace(text.find("WHH"), 3, whh);
    return text;
  };
  CHECK(load_error(with("[1, 2, 3]")) ==
        "the export's 'weight_hh_l0' is not a matrix: expected [3 H, H] for its gru, an array of "
        "rows that are arrays of numbers, but its row 0 is not an array");
  CHECK(load_error(with("[[1], [2], 3]")) ==
        "the export's 'weight_hh_l0' is not a matrix: expected [3 H, H] for its gru, rows of 1 "
        "numbers as row 0, but row 2 is not an array");
  CHECK(load_error(with("[[1], [2, 3], [4]]")) ==
        "the export's 'weight_hh_l0' is not a matrix: expected [3 H, H] for its gru, rows of 1 "
        "numbers as row 0, but row 1 has 2 values");
  CHECK(load_error(with("7")) ==
        "the export's 'weight_hh_l0' is not an array: expected a matrix [3 H, H] for its gru");
}

TEST_CASE("own model: --inputs' shape is checked against the limits before its values are read, and its problems say inputs") {
  // [100000, 3] with hidden 64: 100000 x (64 + 3 + 10) > 5,000,000. A NaN in the data shows
  // that no value was read.
  Mat x = Mat::Zero(100000, 3);
  x(0, 0) = std::numeric_limits<double>::quiet_NaN();
  const std::string long_inputs = write_safetensors({tensor_out("inputs", x)}, "F32", {});
  std::vector<Mat> inputs;
  std::string what;
  CHECK(load_inputs(data_of(long_inputs), long_inputs.size(), inputs, what, 64) ==
        "tensor 'inputs' has shape [100000, 3]: 100000 steps, over gradscope's limit of 64935 "
        "for this model (steps x (hidden 64 + input size 3 + 10) must be <= 5000000: BPTT keeps "
        "every step)");
  CHECK(inputs.empty());
  // With hidden 8 the steps fit, and the NaN is found: "inputs", not "weights".
  CHECK(load_inputs(data_of(long_inputs), long_inputs.size(), inputs, what, 8) ==
        "tensor 'inputs' holds NaN at [0, 0]: gradscope reads finite inputs only");
  const std::string wide =
      write_safetensors({tensor_out("inputs", Mat(Mat::Zero(2, 1025)))}, "F32", {});
  CHECK(load_inputs(data_of(wide), wide.size(), inputs, what) ==
        "tensor 'inputs' has shape [2, 1025]: 1025 inputs per step, over gradscope's limit of "
        "1024");
  CHECK(inputs.empty());
}

TEST_CASE("own model: an RNN's nonlinearity recorded under the prefix without its final dot is read too") {
  const Model m = small_model(CellKind::RnnRelu);
  const std::vector<TensorOut> t = {tensor_out("rnn.weight_ih_l0", m.params.weight_ih),
                                    tensor_out("rnn.weight_hh_l0", m.params.weight_hh)};
  for (const char* key : {"cell:rnn.", "cell:rnn"}) {
    INFO(key);
    OwnModel own;
    REQUIRE(load(write_safetensors(t, "F32", {{key, "rnn-relu"}}), own) == "");
    CHECK(own.model.cell == CellKind::RnnRelu);
    CHECK(own.cell_recorded);
  }
  CHECK(load_error(write_safetensors(t, "F32", {{"cell:rnn", "lstm"}})) ==
        "the file's metadata says 'cell:rnn' = 'lstm', but the shapes make it an RNN with H = 3 "
        "(as 'rnn.weight_hh_l0' [3, 3])");
}
