#include "export_json.h"

#include <cmath>

#include "gradscope_version.h"
#include "io/lru_tensors.h"
#include "io/number_format.h"

namespace gs {

namespace {

using nlohmann::json;

// A matrix as row-major nested arrays (rows x cols); a vector as a flat array.
json tensor_json(const Mat& m) {
  json rows = json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    json row = json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      row.push_back(json_value<json>(m(r, c)));
    rows.push_back(row);
  }
  return rows;
}

json tensor_json(const Vec& v) {
  json out = json::array();
  for (double x : v) out.push_back(json_value<json>(x));
  return out;
}

json log10_json(const std::vector<double>& values) {
  json out = json::array();
  for (double v : values) out.push_back(json_log10<json>(v));
  return out;
}

}  // namespace

void add_provenance(json& record) {
  record["gradscope_version"] = GRADSCOPE_VERSION;
  record["schema_version"] = kExportSchemaVersion;
}

json probe_to_json(const Config& config, const Probe& probe) {
  json out;
  add_provenance(out);
  json config_json = json::object();
  for (const auto& [key, value] : config_pairs(config)) config_json[key] = value;
  out["config"] = config_json;
  out["cell"] = cell_name(probe.model.cell);
  out["input_size"] = probe.model.input_size;
  out["hidden_size"] = probe.model.hidden_size;
  out["output_size"] = probe.model.output_size;
  out["steps"] = probe.sample.length();
  out["probe"] = probe.given_seed.size()
                     ? "a given seed gradient (a model from a file, no loss): seed_grad_h = dL/dh_T"
                     : "the task loss at the final step only; seed_grad_h = dL/dh_T";
  out["precision"] = precision_name(probe.precision);
  if (probe.curve.overflow_step) {
    out["overflow_step"] = probe.curve.overflow_step;
    out["overflow"] = overflow_explanation(probe.curve, probe.precision);
  }

  json weights = json::object();
  if (has_complex_state(probe.model.cell)) {  // the LRU's own names (io/lru_tensors.h)
    for (const LruTensor<double>& t : lru_file_tensors(probe.model.params))
      weights[t.name] = t.is_vector ? tensor_json(Vec(t.value.col(0))) : tensor_json(t.value);
  } else {
    probe.model.params.visit([&](const char* name, const auto& tensor) {
      const std::string file_name = file_tensor_name(probe.model.cell, name);  // "": none
      if (!file_name.empty()) weights[file_name] = tensor_json(tensor);
    });
  }
  out["weights"] = weights;

  json inputs = json::array();  // (T x I)
  for (const Mat& x : probe.sample.inputs) inputs.push_back(tensor_json(Vec(x.col(0))));
  out["inputs"] = inputs;
  out["h0"] = tensor_json(Vec(probe.h0.col(0)));
  if (has_cell_state(probe.model.cell)) out["c0"] = tensor_json(Vec(probe.c0.col(0)));
  out["seed_grad_h"] = tensor_json(Vec(probe.seed_grad_h.col(0)));
  out["log10_grad_norm_h"] = log10_json(probe.curve.log10_grad_h);
  if (has_cell_state(probe.model.cell)) {
    out["log10_grad_norm_c"] = log10_json(probe.curve.log10_grad_c);
    out["log10_forget_path"] = log10_json(probe.curve.log10_forget_path);
  }
  return out;
}

void add_spectrum_json(json& record, const Spectrum& spectrum, const SpectrumOptions& options) {
  record["state_size"] = spectrum.state_size;
  record["spectrum_complete"] = spectrum.complete;
  record["spectrum_note"] =
      spectrum.complete
          ? "every singular value of J_t = ds_t/ds_{t-1} (s = h, LSTM: h then c) and every "
            "Lyapunov exponent"
          : "the " + std::to_string(options.top) + " largest singular values (" +
                (has_recurrent_weights(spectrum.cell) ? "subspace iteration"
                 : has_complex_state(spectrum.cell)  ? "read off J_t's 2 x 2 blocks, exact"
                                                     : "read off J_t's diagonal, exact") +
                ") and Lyapunov exponents";
  record["lyapunov_steps"] = spectrum.steps;
  if (spectrum.overflow_step) {  // no Jacobians of a pass that left the range
    record["lyapunov_exponents"] = "overflow";
    record["singular_value_steps"] = json::array();
    record["step_singular_values"] = "overflow";
    record["step_eigenvalues"] = "overflow";
    return;
  }
  record["lyapunov_exponents"] = log10_json(spectrum.lyapunov);  // same encoding: -inf is null
  record["singular_value_steps"] = spectrum.sv_steps;
  json values = json::array();
  for (const std::vector<double>& step : spectrum.step_sv) {
    json row = json::array();
    for (double v : step) row.push_back(json_value<json>(v));
    values.push_back(row);
  }
  record["step_singular_values"] = values;
  // [re, im] per eigenvalue, per step of singular_value_steps; absent above the full state size
  // unless J_t is diagonal (its eigenvalues read off it)
  if (spectrum.complete || !spectrum.step_eigenvalues.empty()) {
    json eigen = json::array();
    for (const auto& step : spectrum.step_eigenvalues) {
      json row = json::array();
      for (const std::complex<double>& v : step)
        row.push_back({json_value<json>(v.real()), json_value<json>(v.imag())});
      eigen.push_back(row);
    }
    record["step_eigenvalues"] = eigen;
  }
  if (!spectrum.complete) record["sv_iteration_change"] = spectrum.sv_iteration_change;
}

}  // namespace gs
