// The browser's computation (web/worker/compute.cpp, plain C++ over core, run by the compute worker)
// gives exactly the numbers of the one-shot core calls that the CLI prints, whatever the slicing;
// and its messages (web/worker/protocol.cpp) carry them to the page's Results unchanged.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>

#include "analyses/attribution.h"
#include "analyses/bounds.h"
#include "worker/compute.h"
#include "config_samples.h"
#include "training/critical.h"
#include "bptt/decay.h"
#include "bptt/lag_split.h"
#include "worker/protocol.h"
#include "bptt/saturation.h"
#include "bptt/spectrum.h"
#include "analyses/sweep.h"
#include "training/train.h"
#include "analyses/trainability.h"
#include "training/truncation.h"

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

TEST_CASE("held for the first screen, the worker computes the decay curves and the sweep only") {
  Config config;
  REQUIRE(parse_config(config, "cell=rnn-tanh,gru&length=30&hidden=8&lengths=10,20") == "");
  Compute compute;
  compute.hold_for_first_screen = true;
  compute_sync(compute, config);
  int calls = 0;
  while (compute_advance(compute, 1.0, fake_now)) REQUIRE(++calls < 100000);
  CHECK(decay_done(compute));
  CHECK(compute.sweep_done);
  for (const WhyJob& job : compute.why) CHECK_FALSE(job.result.done);  // held back
  CHECK(compute.cliff.result.progress == 0);

  compute.hold_for_first_screen = false;  // the page drew it: the rest follows
  while (compute_advance(compute, 1.0, fake_now) && ++calls < 100000) {
    bool why_done = true;
    for (const WhyJob& job : compute.why) why_done = why_done && job.result.done;
    if (why_done) break;
  }
  for (const WhyJob& job : compute.why) CHECK(job.result.done);
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

namespace {

// The numbers each job shows, computed from scratch by core's one-shot calls for `config`, as
// text ("%a": exact, and NaN equals NaN): a job that did not restart for a change of these
// would show stale numbers.
struct JobNumbers {
  std::string decay, sweep, training, critical, truncation, trainability;
};

void append(std::string& text, double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%a,", x);
  text += buffer;
}

JobNumbers numbers_of(const Config& config) {
  JobNumbers n;
  for (CellKind cell : config.cells) {
    for (int s = 0; s < config.seeds; ++s)
      for (int q = 0; q < config.sequences; ++q)
        for (double x : run_probe(cell, config, config.seed + s, q).curve.log10_grad_h)
          append(n.decay, x);
    // iters only says how far training goes: iteration k's numbers do not depend on it, and the
    // page goes on from where it is (a prefix is compared: the base trains 5)
    Trainer trainer = make_trainer(cell, config);
    train_iterations(trainer, std::min(config.iters, 5));
    for (const TrainRecord& r : trainer.history)
      append(n.training, r.loss), append(n.training, r.grad_norm);
    for (double x : run_truncation_probe(cell, config).cosine) append(n.truncation, x);
  }
  for (const SweepPoint& p : run_sweep(config).points)
    append(n.sweep, p.mean), append(n.sweep, p.min), append(n.sweep, p.max);
  // the losses the critical experiment trains to (its verdicts are re-scored, not retrained)
  for (const CriticalRun& run : run_critical(config).runs) append(n.critical, run.final_loss);
  // the map on a grid of its own, as the page's (which sets lengths, scale and radius itself)
  Config grid = config;
  grid.lengths = {5, 10};
  grid.radius = 0;
  for (const TrainabilityPoint& p : run_trainability(grid, {0.5, 2}).points)
    append(n.trainability, p.log10_ratio), append(n.trainability, p.lyapunov_max);
  return n;
}

// Equal, or both NaN (a bound that does not apply to the cell).
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// A series the page received: its name, and at each shown step t the core's value at t.
void check_series(const StepSeries& got, const std::string& name, const std::vector<double>& mean,
                  const std::vector<double>& q25, const std::vector<double>& median,
                  const std::vector<double>& q75) {
  CAPTURE(name);
  CHECK(got.name == name);
  REQUIRE_FALSE(got.steps.empty());
  REQUIRE(got.mean.size() == got.steps.size());
  for (const auto* part : {&q25, &median, &q75})
    if (!part->empty()) REQUIRE(part->size() == mean.size());
  CHECK(got.q25.size() == (q25.empty() ? 0 : got.steps.size()));
  CHECK(got.median.size() == (median.empty() ? 0 : got.steps.size()));
  CHECK(got.q75.size() == (q75.empty() ? 0 : got.steps.size()));
  for (size_t j = 0; j < got.steps.size(); ++j) {
    const size_t t = static_cast<size_t>(got.steps[j]);
    REQUIRE(t >= 1);
    REQUIRE(t <= mean.size());
    CHECK(got.mean[j] == mean[t - 1]);
    if (!q25.empty()) CHECK(got.q25[j] == q25[t - 1]);
    if (!median.empty()) CHECK(got.median[j] == median[t - 1]);
    if (!q75.empty()) CHECK(got.q75[j] == q75[t - 1]);
  }
}

}  // namespace

TEST_CASE("a job restarts whenever a key changes its numbers, checked against the computation") {
  Config base;
  REQUIRE(parse_config(base, "cell=lstm&hidden=4&length=8&lengths=5,10&iters=5&batch=2") == "");
  const JobNumbers before = numbers_of(base);
  std::map<std::string, int> keys_that_change;  // per job: how many keys change its numbers
  for (const ConfigKey& key : config_keys()) {
    const std::string name = key.name;
    CAPTURE(name);
    Config changed = base;
    REQUIRE(set_config_value(changed, key.name, gs_samples::other_value(key, base)) == "");
    REQUIRE(validate_config(changed) == "");
    Compute compute;
    compute_sync(compute, base);
    const long decay = compute.decay_generation, sweep = compute.sweep_generation,
               train = compute.train_generation, map = compute.trainability_generation,
               critical = compute.critical.generation, truncation = compute.truncation.generation;
    compute_sync(compute, changed);
    const JobNumbers after = numbers_of(changed);
    // numbers that change => the job restarted (else the page would show the old ones)
    const auto check = [&](const char* job, const std::string& a, const std::string& b,
                           bool restarted) {
      const std::string job_name = job;
      CAPTURE(job_name);
      if (a != b) ++keys_that_change[job];
      CHECK((a == b || restarted));
    };
    check("decay", before.decay, after.decay, compute.decay_generation != decay);
    check("sweep", before.sweep, after.sweep, compute.sweep_generation != sweep);
    check("training", before.training, after.training, compute.train_generation != train);
    check("critical", before.critical, after.critical, compute.critical.generation != critical);
    check("truncation", before.truncation, after.truncation,
          compute.truncation.generation != truncation);
    check("trainability", before.trainability, after.trainability,
          compute.trainability_generation != map);
    // and a restart only where the table says the key matters (no work thrown away)
    auto marked = [&](unsigned job) { return (key.affects & (kAffectsModel | job)) != 0; };
    if (compute.decay_generation != decay) CHECK(marked(kAffectsDecay));
    if (compute.sweep_generation != sweep) CHECK(marked(kAffectsSweep));
    if (compute.train_generation != train) CHECK(marked(kAffectsTraining));
    if (compute.critical.generation != critical) CHECK(marked(kAffectsCritical));
    if (compute.truncation.generation != truncation) CHECK(marked(kAffectsTruncation));
  }
  // the check above compared something: every job's numbers depend on several keys
  for (const char* job : {"decay", "sweep", "training", "critical", "truncation", "trainability"}) {
    CAPTURE(job);
    CHECK(keys_that_change[job] >= 4);
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

TEST_CASE(
    "the worker's messages carry every number to the page's results, and a restart replaces") {
  Config config;
  REQUIRE(parse_config(config,
                       "cell=rnn-relu,lstm&length=60&hidden=6&seeds=2&lengths=5,20&"
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
  REQUIRE(parse_config(config,
                       "cell=rnn-tanh,gru&hidden=32&length=80&seeds=2&lengths=10,40,80&"
                       "iters=3&batch=4") == "");
  compute_sync(compute, config);
  REQUIRE(compute_load_model(compute, data, bytes.size()) == "");
  // The page's rules: the file's cell, hidden size and precision.
  GivenModel given;
  std::vector<std::string> lines;
  REQUIRE(gs::page_use_own_model(*compute.own, true, config, given, lines) == "");
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
  CHECK(gs::page_use_own_model(*compute.own, false, wrong, given, lines).find("contradicts") !=
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
  CHECK(compute_load_model(compute, data, bytes.size(), 2) == "layer choice 2 is not in the file");
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

TEST_CASE(
    "the why jobs' results and the trainability map reach the page as the core computes them") {
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
    // every shown step of every series: the core's value at that step
    REQUIRE(got.lag_terms.steps.size() == 40);  // T = 40 shows every step
    const LagSplit lag = probe_lag_split(probe);
    check_series(got.lag_terms, "lag term", lag.log10_term, {}, {}, {});
    CHECK(got.log10_total == lag.log10_total);
    CHECK(got.share_above_lags == std::vector<double>{10});  // 100 and 1000 are beyond T
    CHECK(got.log10_share_above == std::vector<double>{lag.log10_share_above(10)});
    const Saturation saturation = probe_saturation(probe);
    const bool relu = got.cell == CellKind::RnnRelu;
    REQUIRE(got.saturation.size() == saturation.series.size() + (relu ? 1 : 0));
    for (size_t k = 0; k < saturation.series.size(); ++k) {
      const SaturationSeries& want = saturation.series[k];
      check_series(got.saturation[k], want.name, want.mean, want.q25, want.median, want.q75);
    }
    if (relu) check_series(got.saturation.back(), "dead_share", saturation.dead_share, {}, {}, {});
    const Bounds bounds = probe_bounds(probe);
    CHECK(same(got.pascanu_bound, bounds.pascanu_bound));
    CHECK(same(got.sigma_max_whh, bounds.sigma_max_whh));
    CHECK(same(got.gamma, bounds.gamma));
    CHECK(same(got.keep_path_log10_per_step, bounds.keep_path_log10_per_step));
    // W_hh's part of the slope (the identity twin) and its spectral radius, as core has them;
    // the parts add up to the slope the decay curve shows
    const Attribution attribution = attribute_decay(probe);
    CHECK(same(got.twin_log10_per_step, attribution.twin_log10_per_step));
    CHECK(same(got.spectral_radius_whh, attribution.spectral_radius_whh));
    if (relu) {
      CHECK(std::isfinite(got.twin_log10_per_step));
      CHECK(got.spectral_radius_whh > 0);
      REQUIRE(page.decay.size() == 2);
      const double activation = got.decay_log10_per_step - got.twin_log10_per_step;
      CHECK(std::abs(got.twin_log10_per_step + activation -
                     page.decay[i].analysis.log10_per_step) < 1e-3);
    } else {
      CHECK(std::isnan(got.twin_log10_per_step));
      CHECK(std::isnan(got.spectral_radius_whh));
    }
    if (!relu) check_series(got.keep_path, "forget path", bounds.log10_keep_path, {}, {}, {});
  }
  CHECK(page.why[0].saturation.size() == 2);  // rnn-relu: drelu and dead_share
  CHECK(page.why[1].saturation.size() == 5);  // lstm: i, f, o, dtanh_g, dtanh_c
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
