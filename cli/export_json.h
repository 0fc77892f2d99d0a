// The decay record as JSON, in PyTorch's names and layout, so anyone can recompute it in PyTorch
// (tests/reference/check_cli_export.py does).
#pragma once
#include <nlohmann/json.hpp>

#include "decay.h"

namespace gs {

nlohmann::json probe_to_json(const Config& config, const Probe& probe);

}  // namespace gs
