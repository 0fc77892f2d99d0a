#include "export_train.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "export_json.h"
#include "gradscope_version.h"
#include "io/number_format.h"

namespace gs {

namespace {

const size_t kFlushBytes = 1 << 20;

// The shortest text that reads back as the same double (std::to_chars); a value that left the
// representable range is the string "overflow" (number_format.h).
void put_number(std::string& out, double x) {
  if (value_kind(x) == NumberKind::Overflow) {
    out += "\"overflow\"";
    return;
  }
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, x);
  out.append(text, result.ptr);
}

void put_string(std::string& out, const char* s) {  // our own names: nothing to escape
  out += '"';
  out += s;
  out += '"';
}

void put_key(std::string& out, const char* key) {
  put_string(out, key);
  out += ':';
}

// A matrix as row-major nested arrays; a vector (VecT) as a flat array.
template <class Derived>
void put_tensor(std::string& out, const Eigen::MatrixBase<Derived>& m) {
  const bool vector = Derived::ColsAtCompileTime == 1;
  out += '[';
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    if (r) out += ',';
    if (vector) {
      put_number(out, m(r, 0));
      continue;
    }
    out += '[';
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      if (c) out += ',';
      put_number(out, m(r, c));
    }
    out += ']';
  }
  out += ']';
}

void put_weights(std::string& out, const Params& params) {
  out += '{';
  bool first = true;
  params.visit([&](const char* name, const auto& tensor) {
    if (tensor.size() == 0 && file_tensor_name(CellKind::RnnTanh, name).empty()) return;  // the LRU's, for another cell
    if (!first) out += ',';
    first = false;
    put_key(out, name);
    put_tensor(out, tensor);
  });
  out += '}';
}

// A step's (features x batch) matrix as [batch][features], PyTorch's (B, features) layout.
void put_step(std::string& out, const Mat& m) { put_tensor(out, m.transpose()); }

const char* loss_name(LossKind loss) { return loss == LossKind::Mse ? "mse" : "cross_entropy"; }

}  // namespace

TrainExport::~TrainExport() {
  if (file_) std::fclose(file_);
}

std::string TrainExport::open(const std::string& path, const Config& config) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_)
    return "--export " + path_text(path) + ": cannot open the file for writing (" +
           std::strerror(errno) + ")";
  buffer_ += "{\"format\":\"gradscope train export\",\"gradscope_version\":";
  put_string(buffer_, GRADSCOPE_VERSION);
  buffer_ += ",\"schema_version\":" + std::to_string(kExportSchemaVersion) + ",\"config\":{";
  bool first = true;
  for (const auto& [key, value] : config_pairs(config)) {
    if (!first) buffer_ += ',';
    first = false;
    put_key(buffer_, key.c_str());
    put_string(buffer_, value.c_str());
  }
  buffer_ += "},";
  put_key(buffer_, "precision");
  put_string(buffer_, precision_name(config.precision));
  buffer_ +=
      ",\"conventions\":\"h0 = c0 = 0 for every sequence; y_t = weight_out h_t + bias_out at the "
      "scored steps (targets not null), for the LRU weight_out [Re h_t; Im h_t] + D x_t with "
      "weight_ih = [B_re; B_im] and weight_out = [C_re, -C_im]; loss: mse = sum over outputs of (y - target)^2, "
      "cross_entropy = -sum target * log_softmax(y), both summed over the batch and the scored "
      "steps and divided by batch x scored steps; grad_norm: the L2 norm over every parameter "
      "gradient including the readout, before clipping; clipped: the gradients were scaled by "
      "clip / (grad_norm + 1e-6) (torch.nn.utils.clip_grad_norm_'s rule); skipped: the loss or "
      "grad_norm is not finite and no update was made (Adam's step count does not advance); "
      "inputs [T][B][I], targets [T] of [B][O] or null; a run that diverged stops at "
      "diverged_at\",\"cells\":[";
  flush();  // a file that takes no bytes (a full disk) fails here, before any training
  return error_;
}

void TrainExport::begin_cell(const Trainer& trainer) {
  const Config& config = trainer.config;
  Config one = config;
  one.cells = {trainer.cell};
  if (cells_++) buffer_ += ',';
  iterations_ = 0;
  buffer_ += '{';
  put_key(buffer_, "cell");
  put_string(buffer_, cell_name(trainer.cell));
  buffer_ += ",\"config_text\":";
  put_string(buffer_, to_text(one).c_str());
  const Model model = trained_model(trainer);
  buffer_ += ",\"input_size\":" + std::to_string(model.input_size) +
             ",\"hidden_size\":" + std::to_string(model.hidden_size) +
             ",\"output_size\":" + std::to_string(model.output_size) +
             ",\"steps\":" + std::to_string(trainer.shape.steps) +
             ",\"batch\":" + std::to_string(config.batch) + ",\"loss\":";
  put_string(buffer_, loss_name(trainer.shape.loss));
  buffer_ += ",\"chance_loss\":";
  put_number(buffer_, trainer.shape.chance_loss);
  buffer_ += ",\"clip\":";
  put_number(buffer_, config.clip);
  buffer_ += ",\"optimizer\":{";
  with_lane(trainer, [&](const auto& lane) {
    const auto& o = lane.optimizer;
    put_key(buffer_, "kind");
    put_string(buffer_, optimizer_name(o.kind));
    buffer_ += ",\"lr\":";
    put_number(buffer_, o.lr);
    if (o.kind == OptimizerKind::Sgd) {
      buffer_ += ",\"momentum\":";
      put_number(buffer_, o.momentum);
    } else {
      buffer_ += ",\"beta1\":";
      put_number(buffer_, o.beta1);
      buffer_ += ",\"beta2\":";
      put_number(buffer_, o.beta2);
      buffer_ += ",\"epsilon\":";
      put_number(buffer_, o.epsilon);
    }
  });
  buffer_ += "},\"initial_weights\":";
  put_weights(buffer_, model.params);
  buffer_ += ",\"iterations\":[";
  flush();
}

void TrainExport::iteration(const Trainer& trainer) {
  const TrainRecord& r = trainer.history.back();
  if (iterations_++) buffer_ += ',';
  buffer_ += "{\"iteration\":" + std::to_string(r.iteration) + ",\"loss\":";
  put_number(buffer_, r.loss);
  buffer_ += ",\"grad_norm\":";
  put_number(buffer_, r.grad_norm);
  buffer_ += ",\"clipped\":";
  buffer_ += r.clipped ? "true" : "false";
  buffer_ += ",\"skipped\":";
  buffer_ += r.skipped ? "true" : "false";
  buffer_ += ",\"accuracy\":";
  put_number(buffer_, r.accuracy);
  buffer_ += ",\"inputs\":[";
  const Batch& batch = trainer.batch;
  for (int t = 0; t < batch.length(); ++t) {
    if (t) buffer_ += ',';
    put_step(buffer_, batch.inputs[t]);
  }
  buffer_ += "],\"targets\":[";
  for (int t = 0; t < batch.length(); ++t) {
    if (t) buffer_ += ',';
    if (batch.targets[t].size() == 0)
      buffer_ += "null";
    else
      put_step(buffer_, batch.targets[t]);
  }
  buffer_ += "]}";
  if (buffer_.size() >= kFlushBytes) flush();
}

void TrainExport::end_cell(const Trainer& trainer) {
  buffer_ += ']';
  if (trainer.diverged_at) {  // the run stopped there: the last iteration written
    buffer_ += ",\"diverged_at\":" + std::to_string(trainer.diverged_at) + ",\"divergence\":";
    buffer_ += nlohmann::json(trainer.divergence).dump();
  }
  buffer_ += ",\"final_weights\":";
  put_weights(buffer_, trained_model(trainer).params);
  buffer_ += '}';
  flush();
}

void TrainExport::flush() {
  if (!file_ || !error_.empty()) {
    buffer_.clear();
    return;
  }
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() ||
      std::fflush(file_) != 0)
    error_ = "--export " + path_ + ": writing failed (" + std::strerror(errno) + ")";
  buffer_.clear();
}

std::string TrainExport::close() {
  buffer_ += "]}\n";
  flush();
  if (file_) {
    if (std::fclose(file_) != 0 && error_.empty())
      error_ = "--export " + path_ + ": closing failed (" + std::strerror(errno) + ")";
    file_ = nullptr;
  }
  return error_;
}

}  // namespace gs
