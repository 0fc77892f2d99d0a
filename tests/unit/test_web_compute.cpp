// The browser's computation (web/compute.cpp, plain C++ over core, run by the compute worker)
// gives exactly the numbers of the one-shot core calls that the CLI prints, whatever the slicing;
// and its messages (web/protocol.cpp) carry them to the page's Results unchanged.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "compute.h"
#include "config_samples.h"
#include "protocol.h"
#include "spectrum.h"

using namespace gs;

namespace {

double fake_clock_ms = 0;
double fake_now() { return fake_clock_ms += 0.01; }  // every call: 10 microseconds later

void run_until_done(Compute& compute, bool train) {
  for (int frame = 0; frame < 1000000; ++frame) {
    compute_advance(compute, 1.0, fake_now);  // about 100 slices per "frame"
    // trained, and the worker has seen it (the slice after the last iteration stops playing)
    const bool trained =
        !train || (training_iterations(compute) >= compute.config.iters && !compute.playing);
    if (decay_done(compute) && compute.sweep_done && trained) return;
  }
  FAIL("the computation did not finish");
}

// A committed weights fixture's bytes (tests/reference/fixtures/weights/).
std::string weights_fixture(const char* name) {
  std::ifstream in(std::string(GRADSCOPE_SOURCE_DIR) + "/tests/reference/fixtures/weights/" + name,
                   std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 100);
  return bytes;
}

}  // namespace

TEST_CASE("sliced decay curves and sweep equal the one-shot core results") {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh,lstm,gru&length=150&hidden=12&seeds=2&seed=4&"
                       "lengths=10,40,160&task=copy") == "");
  Compute compute;
  compute_sync(compute, config);
  run_until_done(compute, false);
  REQUIRE(compute.decay.size() == 3);
  for (const DecayJob& job : compute.decay) {
    REQUIRE(job.result.curves.size() == 2);
    for (int s = 0; s < 2; ++s)
      CHECK(job.result.curves[s] ==
            run_probe(job.result.cell, config, config.seed + s).curve.log10_grad_h);
  }
  const Sweep whole = run_sweep(config);
  REQUIRE(compute.sweep.points.size() == whole.points.size());
  for (size_t i = 0; i < whole.points.size(); ++i)
    CHECK(compute.sweep.points[i].per_probe == whole.points[i].per_probe);
}

TEST_CASE("training in the page equals training in one go, and only training keys restart it") {
  Config config;
  REQUIRE(parse_config(config, "cell=gru,rnn-relu&length=20&hidden=8&iters=6&batch=4") == "");
  Compute compute;
  compute_sync(compute, config);
  training_do(compute, TrainAction::Play);
  run_until_done(compute, true);
  CHECK(training_iterations(compute) == 6);  // stops at iters
  for (const TrainJob& job : compute.train) {
    Trainer reference = make_trainer(job.trainer.cell, config);
    train_iterations(reference, 6);
    REQUIRE(job.trainer.history.size() == 6);
    for (int i = 0; i < 6; ++i) CHECK(job.trainer.history[i].loss == reference.history[i].loss);
  }

  const long generation = compute.decay_generation;
  Config faster = config;
  faster.lr = 0.05;
  compute_sync(compute, faster);  // a new learning rate restarts training, not the curves
  CHECK(compute.decay_generation == generation);
  CHECK(training_iterations(compute) == 0);
  Config longer = faster;
  longer.length = 30;
  compute_sync(compute, longer);
  CHECK(compute.decay_generation == generation + 1);
}

TEST_CASE("a job restarts exactly when a key its computation depends on changes (the table)") {
  Config base;
  REQUIRE(parse_config(base, "cell=lstm&hidden=4&length=8&lengths=5,10&iters=5&batch=2") == "");
  for (const ConfigKey& key : config_keys()) {
    CAPTURE(key.name);
    Config changed = base;
    REQUIRE(set_config_value(changed, key.name, gs_samples::other_value(key, base)) == "");
    REQUIRE(validate_config(changed) == "");
    Compute compute;
    compute_sync(compute, base);
    const long decay = compute.decay_generation, sweep = compute.sweep_generation,
               train = compute.train_generation, map = compute.trainability_generation,
               critical = compute.critical.generation, truncation = compute.truncation.generation;
    compute_sync(compute, changed);
    auto restarts = [&](unsigned job) { return (key.affects & (kAffectsModel | job)) != 0; };
    CHECK((compute.decay_generation != decay) == restarts(kAffectsDecay));
    CHECK((compute.sweep_generation != sweep) == restarts(kAffectsSweep));
    CHECK((compute.train_generation != train) == restarts(kAffectsTraining));
    CHECK((compute.critical.generation != critical) == restarts(kAffectsCritical));
    CHECK((compute.truncation.generation != truncation) == restarts(kAffectsTruncation));
    // The trainability map: the model keys but scale and radius, which the map sets itself.
    const bool own = std::string(key.name) == "scale" || std::string(key.name) == "radius";
    CHECK((compute.trainability_generation != map) == (restarts(0) && !own));
  }
}

TEST_CASE("step runs exactly one iteration per cell, and a config too large to train says why") {
  Config config;
  REQUIRE(parse_config(config, "cell=lstm,gru&length=2&hidden=4&batch=2") == "");  // short:
  // a slice holds many steps, and a step must still stop after one iteration
  Compute compute;
  compute_sync(compute, config);
  training_do(compute, TrainAction::Step);
  run_until_done(compute, false);
  for (int i = 0; i < 50; ++i) compute_advance(compute, 1.0, fake_now);
  for (const TrainJob& job : compute.train) CHECK(job.trainer.history.size() == 1);

  REQUIRE(parse_config(config, "length=20000&hidden=200&batch=64") == "");
  compute_sync(compute, config);
  CHECK(compute.train_error ==
        "length=20000, hidden=200 and batch=64 with 2 cells are too large to train: cells x "
        "(length x batch + 2 x hidden) x (hidden + 10) must be <= 4000000 (BPTT keeps every step "
        "of every sequence, and the weights 4 times)");
  training_do(compute, TrainAction::Play);
  CHECK_FALSE(compute.playing);
}

TEST_CASE("the worker's messages carry every number to the page's results, and a restart replaces") {
  Config config;
  REQUIRE(parse_config(config, "cell=rnn-relu,lstm&length=60&hidden=6&seeds=2&lengths=5,20&"
                               "iters=7&batch=3") == "");
  Compute compute;
  Outbox outbox;
  Results page;
  std::vector<uint8_t> message;
  compute_sync(compute, config);
  training_do(compute, TrainAction::Play);
  int messages = 0;
  auto deliver = [&](long commands) {
    WorkerStatus status;
    status.commands_done = commands;
    status.memory_bytes = 1234567;
    encode_update(compute, status, outbox, message);
    REQUIRE(apply_update(page, message.data(), message.size()) == "");
    ++messages;
  };
  while (!(decay_done(compute) && compute.sweep_done && training_iterations(compute) == 7)) {
    compute_advance(compute, 0.05, fake_now);  // a few slices: many small messages
    deliver(2);
  }
  CHECK(messages >= 3);  // the results arrive in parts
  CHECK(page.commands_done == 2);
  CHECK(page.worker_memory_bytes == 1234567);
  CHECK(page.config_text == to_text(config));
  REQUIRE(page.decay.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const DecayResult &sent = compute.decay[i].result, &got = page.decay[i];
    CHECK(got.done);
    CHECK(got.cell == sent.cell);
    CHECK(got.curves == sent.curves);
    CHECK(got.steps == sent.steps);
    CHECK(got.heat_columns == sent.heat_columns);
    CHECK(got.median_by_lag == sent.median_by_lag);
    CHECK(got.curve_c == sent.curve_c);
    CHECK(got.analysis.sigma_max_whh == sent.analysis.sigma_max_whh);
    CHECK(got.analysis.steps_to_zero == sent.analysis.steps_to_zero);
    CHECK(got.analysis.mean_gate == sent.analysis.mean_gate);
  }
  REQUIRE(page.sweep_points.size() == compute.sweep.points.size());
  CHECK(page.sweep_done);
  for (size_t i = 0; i < page.sweep_points.size(); ++i)
    CHECK(page.sweep_points[i].per_probe == compute.sweep.points[i].per_probe);
  REQUIRE(page.train.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const auto& history = compute.train[i].trainer.history;
    REQUIRE(page.train[i].history.size() == history.size());
    for (size_t k = 0; k < history.size(); ++k)
      CHECK(page.train[i].history[k].loss == history[k].loss);
  }

  // A new length restarts the curves and training, not the sweep: the page's curves are
  // replaced (not appended to), its sweep kept.
  Config longer = config;
  longer.length = 30;
  compute_sync(compute, longer);
  deliver(3);
  CHECK(page.config_text == to_text(longer));
  REQUIRE(page.decay.size() == 2);
  CHECK_FALSE(page.decay[0].done);
  CHECK(page.decay[0].curves.empty());
  CHECK(page.sweep_points.size() == compute.sweep.points.size());
  CHECK(page.train[0].history.empty());

  // A damaged message is reported, not followed.
  message.resize(message.size() / 2);
  CHECK(apply_update(page, message.data(), message.size()) == "a truncated update message");
  const uint8_t junk[3] = {1, 2, 3};
  CHECK(apply_update(page, junk, 3) == "not a gradscope update message");
}

// Your own model in the page (issue 12): the worker computes from the file exactly what the
// one-shot core calls (what `decay --weights` / `sweep --weights` print) give, trains from it,
// and "Download model" writes a file that reads back to the same weights.
TEST_CASE("a loaded model: the page's curves and sweep are the CLI's, and its file reads back") {
  const std::string bytes = weights_fixture("lstm_small.safetensors");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  Compute compute;
  Config config;
  REQUIRE(parse_config(config, "cell=rnn-tanh,gru&hidden=32&length=80&seeds=2&lengths=10,40,80&"
                               "iters=3&batch=4") == "");
  compute_sync(compute, config);
  REQUIRE(compute_load_model(compute, data, bytes.size()) == "");
  // The page's rules: the file's cell, hidden size and precision.
  GivenModel given;
  std::vector<std::string> lines;
  REQUIRE(page_use_own_model(*compute.own, true, config, given, lines) == "");
  CHECK(config.cells == std::vector<CellKind>{CellKind::Lstm});
  CHECK(config.hidden == compute.own->model.hidden_size);
  compute_sync(compute, config);
  REQUIRE(compute.given);
  training_do(compute, TrainAction::Play);
  run_until_done(compute, true);
  REQUIRE(compute.decay.size() == 1);
  for (int s = 0; s < 2; ++s)
    CHECK(compute.decay[0].result.curves[s] ==
          run_probe(given, config, config.seed + s).curve.log10_grad_h);
  const Sweep whole = run_sweep(config, std::make_shared<GivenModel>(given));
  REQUIRE(compute.sweep.points.size() == whole.points.size());
  for (size_t i = 0; i < whole.points.size(); ++i)
    CHECK(compute.sweep.points[i].per_probe == whole.points[i].per_probe);
  // Download model after training: the trained weights, which load back exactly.
  REQUIRE(training_iterations(compute) == 3);
  const std::string file = compute_model_file(compute);
  OwnModel back;
  REQUIRE(load_model(reinterpret_cast<const unsigned char*>(file.data()), file.size(),
                     LoadOptions(), back) == "");
  const Model trained = trained_model(compute.train[0].trainer);
  CHECK(back.model.params.weight_hh == trained.params.weight_hh);
  CHECK(back.model.params.weight_out == trained.params.weight_out);
  CHECK_FALSE(back.model.params.weight_hh == compute.own->model.params.weight_hh);
  // A contradicting config is refused by the page's check; clearing returns to drawn models.
  Config wrong = config;
  wrong.hidden = config.hidden + 1;
  CHECK(page_use_own_model(*compute.own, false, wrong, given, lines).find("contradicts") !=
        std::string::npos);
  REQUIRE(compute_load_model(compute, nullptr, 0) == "");
  CHECK_FALSE(compute.own);
  // A file that is not a model changes nothing.
  REQUIRE(compute_load_model(compute, data, bytes.size()) == "");
  CHECK(compute_load_model(compute, data, 20) != "");
  CHECK(compute.own);
}

// A file of several layers: the page lists them (layer_choices), reads the first, and the worker
// reads the one picked, as the CLI's --prefix and --layer read it.
TEST_CASE("a file of two layers: every layer is a choice, and the worker reads the one picked") {
  const std::string bytes = weights_fixture("lstm_f32.safetensors");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::vector<LayerChoice> choices = layer_choices(data, bytes.size());
  REQUIRE(choices.size() == 2);
  CHECK(choices[0].label == "layer 0 of encoder.lstm.");
  CHECK(choices[1].label == "layer 1 of encoder.lstm.");
  Compute compute;
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    REQUIRE(compute_load_model(compute, data, bytes.size(), i) == "");
    LoadOptions cli;  // --prefix encoder.lstm. --layer i
    cli.prefix = "encoder.lstm.";
    cli.prefix_given = cli.layer_given = true;
    cli.layer = i;
    OwnModel expected;
    REQUIRE(load_model(data, bytes.size(), cli, expected) == "");
    CHECK(compute.own->model.params.weight_hh == expected.model.params.weight_hh);
    CHECK(compute.own->model.input_size == (i == 0 ? 3 : 8));  // layer 1 reads layer 0's H = 8
  }
  CHECK(compute_load_model(compute, data, bytes.size(), 2) ==
        "layer choice 2 is not in the file");
  CHECK(compute.own->model.input_size == 8);  // unchanged
  // One layer: one choice; an export or garbage: none (the file's only model is read).
  const std::string one = weights_fixture("lstm_small.safetensors");
  CHECK(layer_choices(reinterpret_cast<const unsigned char*>(one.data()), one.size()).size() == 1);
  CHECK(layer_choices(data, 20).empty());
  const std::string json = "{\"format\": 1}";
  CHECK(layer_choices(reinterpret_cast<const unsigned char*>(json.data()), json.size()).empty());
  // Two modules in one file (an encoder and a decoder): a choice each.
  Config config;
  Rng rng(1);
  const Model gru = make_model(CellKind::Gru, 2, 4, 0, config, rng);
  const std::string two = models_to_safetensors({{"enc.", gru}, {"dec.", gru}}, Precision::F64, {});
  const std::vector<LayerChoice> both =
      layer_choices(reinterpret_cast<const unsigned char*>(two.data()), two.size());
  REQUIRE(both.size() == 2);
  CHECK(both[0].options.prefix != both[1].options.prefix);
}

TEST_CASE("the why jobs' results and the trainability map reach the page as the core computes them") {
  Config config;
  REQUIRE(parse_config(config, "cell=rnn-relu,lstm&length=40&hidden=6&lengths=5,20") == "");
  Compute compute;
  Outbox outbox;
  Results page;
  std::vector<uint8_t> message;
  compute_sync(compute, config);
  for (int slice = 0; slice < 1000000; ++slice) {
    const bool more = compute_advance(compute, 0.05, fake_now);
    encode_update(compute, WorkerStatus(), outbox, message);
    REQUIRE(apply_update(page, message.data(), message.size()) == "");
    if (!more) break;
  }
  REQUIRE(page.why.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const WhyResult& got = page.why[i];
    CHECK(got.done);
    const Probe probe = run_probe(got.cell, config, config.seed);
    const Spectrum spectrum = probe_spectrum(probe, {128, 8, kPageSampledSteps});
    CHECK(got.lyapunov == spectrum.lyapunov);
    CHECK(got.sv_steps.size() == spectrum.sv_steps.size());
    CHECK(got.step_sv == spectrum.step_sv);
    CHECK(got.decay_log10_per_step == analyze_probe(probe).log10_per_step);
    CHECK(got.lag_terms.mean.size() == 40);
    CHECK_FALSE(got.saturation.empty());
  }
  CHECK(page.why[0].saturation.back().name == "dead_share");  // rnn-relu
  CHECK(page.why[1].keep_path.name == "forget path");
  const TrainabilityResult& t = page.trainability;
  REQUIRE(t.done);
  CHECK(t.scales.size() == 12);
  CHECK(t.lengths.size() == 12);
  REQUIRE(t.cells.size() == 2);
  CHECK(t.cells[1].log10_ratio.size() == 144);
  // one point, recomputed as sweep does it
  Config point = config;
  point.scale = t.scales[3];
  point.length = static_cast<int>(t.lengths[5]);
  point.lengths = {point.length};
  point.cells = {CellKind::Lstm};
  CHECK(t.cells[1].log10_ratio[3 * 12 + 5] == run_sweep(point).points[0].mean);
}
