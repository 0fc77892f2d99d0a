// The worker's "why it vanishes" jobs, run after the decay curves and the sweep: for each cell,
// the spectra, bounds, saturation and lag split of the first seed's sequence (a probe of its
// own, so that only one probe's caches per job are alive), and the trainability map. Plain C++
// over core, like compute.cpp.
#pragma once
#include <memory>

#include "worker/results.h"
#include "bptt/spectrum.h"
#include "analyses/trainability.h"

struct WhyJob {
  WhyResult result;
  gs::Probe probe;
  gs::SpectrumJob spectrum;
  enum class Stage { Start, Probe, Spectrum, Done } stage = Stage::Start;
};

// What the page shows of the trainability map: this grid, whatever the sweep's lengths.
struct TrainabilityJob {
  TrainabilityResult result;
  gs::TrainabilityMap map;
  bool started = false;
};

// Singular values at this many steps at most in the page (the CLI's default is 2,000).
const int kPageSampledSteps = 200;
const int kPageEigenvalueSteps = 25;  // the eigenvalue view's cloud: steps with J_t's eigenvalues

// One slice of `budget` time steps of work; true if it did any. `given`: your own model (the
// page's loaded file, compute.h) instead of the drawn one, or null.
bool advance_why(const gs::Config& config, WhyJob& job, int budget,
                 const std::shared_ptr<const gs::GivenModel>& given = nullptr);
bool advance_trainability_job(const gs::Config& config, TrainabilityJob& job, int budget,
                              const std::shared_ptr<const gs::GivenModel>& given = nullptr);

// The page's trainability grid: 12 scales from 0.25 to 16 at a constant ratio, 12 lengths.
std::vector<double> trainability_scales();
std::vector<int> trainability_lengths();
