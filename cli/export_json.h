// The decay record as JSON, in PyTorch's names and layout, so anyone can recompute it in PyTorch
// (tests/reference/check_cli_export.py does).
#pragma once
#include <nlohmann/json.hpp>

#include "decay.h"

namespace gs {

// The version of the exports' layout: which fields there are, their names, shapes and meaning.
// It goes up when a field is removed or renamed or changes its meaning or shape; a reader that
// knows version N reads every file of version N. New fields may appear without a change.
inline constexpr int kExportSchemaVersion = 1;

// Sets `gradscope_version` (the program that wrote the record) and `schema_version`.
void add_provenance(nlohmann::json& record);

nlohmann::json probe_to_json(const Config& config, const Probe& probe);

}  // namespace gs
