// How the browser page uses a loaded model of your own. The page's configuration always gives
// every key (a link holds them all), so the keys a file decides count as given: the page's rules
// differ from the CLI's, which only sees the flags typed. Here in core because both the page's
// UI and its compute worker apply them, and must agree.
#pragma once
#include <string>
#include <vector>

#include "io/own_model.h"

namespace gs {

// The keys the page's config always gives that a loaded model may contradict or override
// (model/config.h: WithOwnModel): the page's values for these are given, as if typed.
const std::vector<std::string>& page_model_keys();

// How the page uses a loaded model: `config` takes its cell, hidden size and precision (the
// page shows the file's precision first; the precision control may change it later), and
// `given` is the probes' model. The page and the worker both call it, so they agree. A decay
// --export record is refused (its seed gradient is of its own length; the page sweeps lengths).
// "" or the error.
std::string page_use_own_model(const OwnModel& own, bool first, Config& config, GivenModel& given,
                               std::vector<std::string>& lines);

}  // namespace gs
