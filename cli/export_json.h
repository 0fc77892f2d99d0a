// The decay record as JSON, in PyTorch's names and layout, so anyone can recompute it in PyTorch
// (tests/reference/check_cli_export.py does).
#pragma once
#include <nlohmann/json.hpp>

#include "bptt/decay.h"
#include "bptt/spectrum.h"

namespace gs {

// The version of the exports' layout: which fields there are, their names, shapes and meaning.
// It goes up when a field is removed or renamed or changes its meaning or shape; a reader that
// knows version N reads every file of version N. New fields may appear without a change.
inline constexpr int kExportSchemaVersion = 1;

// Sets `gradscope_version` (the program that wrote the record) and `schema_version`.
void add_provenance(nlohmann::json& record);

nlohmann::json probe_to_json(const Config& config, const Probe& probe);

// `spectrum --export`: adds to probe_to_json's record `state_size`, `spectrum_complete`,
// `lyapunov_exponents` (nats per step, largest first), `lyapunov_steps`,
// `singular_value_steps` (1-based) and `step_singular_values` (one array per listed step,
// largest first); or, if the forward pass overflowed, "overflow" in their place.
void add_spectrum_json(nlohmann::json& record, const Spectrum& spectrum,
                       const SpectrumOptions& options);

}  // namespace gs
