#include "modelc/model.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "modelc/error.hpp"
#include "modelc/init.hpp"
#include "modelc/loss.hpp"
#include "modelc/parallel.hpp"
#include "modelc/safetensors.hpp"
#include "modelc/softmax.hpp"

#include <cmath>

namespace modelc {
namespace {

int64_t elements(const ParamSpec& p) {
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) n *= p.shape[static_cast<size_t>(d)];
  return n;
}

std::string shape_text(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::span<const int64_t> shape_of(const ParamSpec& p) {
  return {p.shape.data(), static_cast<size_t>(p.rank)};
}

}  // namespace

Model::Model(const ModelSpec& spec, int max_batch, const ModelOptions& options,
             ScratchFloats scratch_floats)
    : spec_(spec), options_(options), max_batch_(max_batch) {
  const std::string who(spec_.name);
  if (max_batch < 1)
    throw Error(who + ": max_batch must be at least 1, got " + std::to_string(max_batch));
  if (options.threads < 0 || options.threads > kMaxThreads)
    throw Error(who + ": threads must be 0 (every core) or 1.." + std::to_string(kMaxThreads) +
                ", got " + std::to_string(options.threads));
  input_size_ = std::accumulate(spec_.input_shape.begin(), spec_.input_shape.end(), int64_t{1},
                                std::multiplies<>());
  check_arena_bytes(scratch_floats);
  if (options.threads > 0) set_num_threads(options.threads);
  try {
    allocate(scratch_floats(max_batch, options.training));
  } catch (const std::bad_alloc&) {
    throw Error(who + ": out of memory allocating the model for max_batch " +
                std::to_string(max_batch) + " (" + std::to_string(arena_bytes_) +
                " bytes of arenas and scratch, plus weights)");
  }
  init_weights(0);
}

// Bytes of arenas, scratch and the kept input at max_batch, saturating; an
// absurd max_batch is an Error here, before any size is multiplied in int64.
void Model::check_arena_bytes(ScratchFloats scratch_floats) {
  const auto sat_mul = [](uint64_t a, uint64_t b) {
    uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
  };
  const auto sat_add = [](uint64_t a, uint64_t b) {
    uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
  };
  const auto u = [](int64_t v) { return static_cast<uint64_t>(std::max<int64_t>(v, 0)); };
  const bool training = options_.training;
  uint64_t floats = sat_add(u(spec_.inference_arena), scratch_floats(1, training));
  if (training) floats = sat_add(floats, sat_add(u(spec_.training_arena), u(input_size_)));
  uint64_t per_image = sat_mul(floats, sizeof(float));
  if (training) per_image = sat_add(per_image, u(spec_.masks_per_image));
  arena_bytes_ = sat_mul(per_image, static_cast<uint64_t>(max_batch_));
  if (arena_bytes_ > kMaxArenaBytes) {
    const auto gib = [](uint64_t b) { return std::to_string(b >> 30) + " GiB"; };
    throw Error(std::string(spec_.name) + ": max_batch " + std::to_string(max_batch_) + " needs " +
                (arena_bytes_ == UINT64_MAX ? "more than 2^64 bytes" : gib(arena_bytes_)) +
                " of activations and scratch (" + std::to_string(per_image) +
                " bytes per image); the limit is " + gib(kMaxArenaBytes) +
                " (modelc::kMaxArenaBytes)");
  }
}

void Model::allocate(size_t scratch_floats) {
  int64_t trainable = 0, state = 0;
  for (const ParamSpec& p : spec_.params) (p.trainable ? trainable : state) += elements(p);
  trainable_.resize(static_cast<size_t>(trainable));
  state_.resize(static_cast<size_t>(state));
  grads_.resize(static_cast<size_t>(trainable));

  int64_t t = 0, s = 0;
  for (const ParamSpec& p : spec_.params) {
    const int64_t n = elements(p);
    float* value = p.trainable ? trainable_.data() + t : state_.data() + s;
    float* grad = p.trainable ? grads_.data() + t : nullptr;
    (p.trainable ? t : s) += n;
    values_.push_back(value);
    grad_ptrs_.push_back(grad);
    params_.push_back(
        Param{p.name,
              shape_of(p),
              {value, static_cast<size_t>(n)},
              grad ? std::span<float>(grad, static_cast<size_t>(n)) : std::span<float>(),
              p.trainable});
  }

  const auto batch = static_cast<size_t>(max_batch_);
  inference_arena_.resize(static_cast<size_t>(spec_.inference_arena) * batch);
  scratch_.resize(scratch_floats);
  prepared_.resize(static_cast<size_t>(spec_.prepared_floats));
  if (options_.training) {
    training_arena_.resize(static_cast<size_t>(spec_.training_arena) * batch);
    masks_.resize(static_cast<size_t>(spec_.masks_per_image) * batch);
    input_copy_.resize(static_cast<size_t>(input_size_) * batch);
  }
  if (spec_.input_nchw) nhwc_input_.resize(static_cast<size_t>(input_size_) * batch);
  for (std::vector<double>& p : profile_) p.assign(spec_.layers.size(), 0.0);
}

Model::MemoryUse Model::memory_use() const {
  constexpr size_t f = sizeof(float);
  return {(trainable_.size() + state_.size()) * f,
          grads_.size() * f,
          prepared_.size() * f,
          inference_arena_.size() * f,
          training_arena_.size() * f + masks_.size(),
          scratch_.size() * f};
}

void Model::reset_profile() {
  for (std::vector<double>& p : profile_) std::fill(p.begin(), p.end(), 0.0);
}

void Model::mark_layer(int i) {
  const auto now = std::chrono::steady_clock::now();
  if (current_layer_ >= 0 && static_cast<size_t>(current_layer_) < spec_.layers.size())
    profile_[static_cast<size_t>(phase_)][static_cast<size_t>(current_layer_)] +=
        std::chrono::duration<double>(now - layer_start_).count();
  current_layer_ = i;
  layer_start_ = std::chrono::steady_clock::now();
}

void Model::init_weights(uint64_t seed) {
  for (size_t i = 0; i < spec_.params.size(); ++i) {
    const ParamSpec& p = spec_.params[i];
    const int64_t n = elements(p);
    switch (p.init) {
      case Init::glorot_uniform: glorot_uniform(values_[i], n, p.fan_in, p.fan_out, seed, i); break;
      case Init::zeros: fill(values_[i], n, 0.0f); break;
      case Init::ones: fill(values_[i], n, 1.0f); break;
      case Init::constant: fill(values_[i], n, p.value); break;
    }
  }
  prepared_ok_ = false;
  reset_optimizers();
}

void Model::reset_optimizers() {
  std::fill(velocity_.begin(), velocity_.end(), 0.0f);
  std::fill(adam_m_.begin(), adam_m_.end(), 0.0f);
  std::fill(adam_v_.begin(), adam_v_.end(), 0.0f);
  adam_t_ = 0;
}

void Model::load_weights(const std::string& path) {
  load_weights(SafetensorsFile::read(path), path);
}

void Model::load_weights(const SafetensorsFile& file, const std::string& what) {
  std::vector<std::string> problems;
  std::vector<bool> used(file.tensors().size(), false);
  for (const ParamSpec& p : spec_.params) {
    const std::string name(p.name);
    const TensorInfo* t = file.find(name);
    if (!t) {
      problems.push_back("missing tensor '" + name + "' " + shape_text(shape_of(p)));
      continue;
    }
    used[static_cast<size_t>(t - file.tensors().data())] = true;
    if (!std::equal(t->shape.begin(), t->shape.end(), shape_of(p).begin(), shape_of(p).end()))
      problems.push_back("tensor '" + name + "' has shape " + shape_text(t->shape) + ", expected " +
                         shape_text(shape_of(p)));
  }
  for (size_t i = 0; i < used.size(); ++i)
    if (!used[i])
      problems.push_back("extra tensor '" + file.tensors()[i].name + "' " +
                         shape_text(file.tensors()[i].shape) + " is not a parameter of " +
                         std::string(spec_.name));
  if (!problems.empty()) {
    std::string msg = what + ": weights do not match " + std::string(spec_.name) + " (" +
                      std::to_string(problems.size()) + " problem" +
                      (problems.size() > 1 ? "s" : "") + "):";
    // A crafted file may hold millions of extra tensors: list the first 100.
    constexpr size_t kListed = 100;
    for (size_t i = 0; i < std::min(problems.size(), kListed); ++i) msg += "\n  " + problems[i];
    if (problems.size() > kListed)
      msg += "\n  ... and " + std::to_string(problems.size() - kListed) + " more";
    throw Error(msg);
  }
  for (size_t i = 0; i < spec_.params.size(); ++i) {
    const TensorInfo* t = file.find(std::string(spec_.params[i].name));
    std::copy(t->data.begin(), t->data.end(), values_[i]);
  }
  prepared_ok_ = false;
  reset_optimizers();
}

void Model::save_weights(const std::string& path) const {
  std::vector<TensorRef> refs;
  for (size_t i = 0; i < spec_.params.size(); ++i) {
    const ParamSpec& p = spec_.params[i];
    const std::span<const int64_t> shape = shape_of(p);
    refs.push_back(TensorRef{std::string(p.name),
                             {shape.begin(), shape.end()},
                             {values_[i], static_cast<size_t>(elements(p))}});
  }
  write_safetensors(path, refs);
}

void Model::check_batch(int batch, size_t input_floats, const char* what) const {
  const std::string who = std::string(spec_.name) + "::" + what;
  if (batch < 1 || batch > max_batch_)
    throw Error(who + ": batch " + std::to_string(batch) + " is outside 1.." +
                std::to_string(max_batch_) + " (max_batch given at construction)");
  const auto want = static_cast<size_t>(batch) * static_cast<size_t>(input_size_);
  if (input_floats != want)
    throw Error(who + ": input has " + std::to_string(input_floats) + " floats, expected " +
                std::to_string(want) + " (batch " + std::to_string(batch) + " x " +
                shape_text(spec_.input_shape) + ", NHWC)");
}

void Model::check_training(const char* what) const {
  if (!options_.training)
    throw Error(std::string(spec_.name) + "::" + what +
                ": the model was built with ModelOptions::training = false");
}

std::span<const float> Model::forward(std::span<const float> input, int batch) {
  check_batch(batch, input.size(), "forward");
  if (!prepared_ok_) prepare();
  const float* x = input.data();
  if (spec_.input_nchw) {
    to_nhwc(nhwc_input_.data(), input, batch);
    x = nhwc_input_.data();
  }
  profiled(Phase::inference, [&] { run_inference(x, batch); });
  last_inference_batch_ = batch;
  return output(0);
}

int64_t Model::output_size(int i) const {
  if (i < 0 || i >= num_outputs())
    throw Error(std::string(spec_.name) + ": output " + std::to_string(i) + " does not exist (" +
                std::to_string(num_outputs()) + " outputs)");
  return spec_.outputs[static_cast<size_t>(i)].size;
}

std::span<const float> Model::output(int i) const {
  output_size(i);  // checks i
  const OutputSpec& o = spec_.outputs[static_cast<size_t>(i)];
  if (o.training_only)
    throw Error(std::string(spec_.name) + ": output " + std::to_string(i) + " ('" +
                std::string(o.layer) + "') is training-only; forward() does not compute it");
  if (last_inference_batch_ == 0)
    throw Error(std::string(spec_.name) + ": output() before any forward()");
  return {inference_arena_.data() + o.inference_offset * max_batch_,
          static_cast<size_t>(o.size * last_inference_batch_)};
}

void Model::start_training(std::span<const float> input, int batch, const char* what) {
  check_training(what);
  check_batch(batch, input.size(), what);
  to_nhwc(input_copy_.data(), input, batch);
  ++step_;
  last_batch_ = batch;
  prepared_ok_ = false;  // the training forward updates batchnorm's moving statistics
  profiled(Phase::training, [&] { run_training(input_copy_.data(), batch); });
  const auto begin = training_arena_.begin() + spec_.grad_region_begin * max_batch_;
  const auto end = training_arena_.begin() + spec_.grad_region_end * max_batch_;
  std::fill(begin, end, 0.0f);
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  have_training_forward_ = true;
}

int64_t Model::target_size() const {
  int64_t n = 0;
  for (const OutputSpec& o : spec_.outputs)
    if (o.loss == Loss::mse || o.loss == Loss::binary_crossentropy) n += o.size;
  return n;
}

float Model::loss_and_grad(std::span<const float> input, std::span<const int32_t> labels,
                           int batch) {
  return loss_and_grad(input, labels, {}, batch);
}

float Model::loss_and_grad(std::span<const float> input, std::span<const float> targets,
                           int batch) {
  return loss_and_grad(input, {}, targets, batch);
}

float Model::loss_and_grad(std::span<const float> input, std::span<const int32_t> labels,
                           std::span<const float> targets, int batch) {
  const char* what = "loss_and_grad";
  check_training(what);
  check_batch(batch, input.size(), what);
  const std::string who = std::string(spec_.name) + "::" + what + ": ";
  int64_t classes = INT64_MAX;
  std::string label_head, target_head;
  for (const OutputSpec& o : spec_.outputs) {
    if (o.loss == Loss::softmax_crossentropy) {
      classes = std::min(classes, o.size);
      if (label_head.empty()) label_head = o.layer;
    } else if (o.loss != Loss::none && target_head.empty()) {
      target_head = o.layer;
    }
  }
  if (!label_head.empty() && labels.size() != static_cast<size_t>(batch))
    throw Error(who + std::to_string(labels.size()) + " labels for batch " + std::to_string(batch) +
                (labels.empty() ? " (output '" + label_head +
                                      "' takes softmax_crossentropy: pass integer labels)"
                                : ""));
  if (label_head.empty() && !labels.empty())
    throw Error(who + "labels given, but no output takes softmax_crossentropy");
  const auto want = static_cast<size_t>(target_size() * batch);
  if (targets.size() != want)
    throw Error(who + std::to_string(targets.size()) + " target floats for batch " +
                std::to_string(batch) + ", expected " + std::to_string(want) +
                (target_head.empty() ? " (no output takes mse or binary_crossentropy)"
                                     : " (batch x target_size() = " + std::to_string(batch) +
                                           " x " + std::to_string(target_size()) + ")"));
  for (size_t r = 0; r < labels.size(); ++r)
    if (labels[r] < 0 || labels[r] >= classes)
      throw Error(who + "label " + std::to_string(labels[r]) + " of sample " + std::to_string(r) +
                  " is outside 0.." + std::to_string(classes - 1));
  for (size_t i = 0; i < targets.size(); ++i)
    if (!std::isfinite(targets[i]))
      throw Error(who + "target " + std::to_string(i) + " is not a finite number");
  start_training(input, batch, what);
  float loss = head_losses(labels.data(), targets.data(), batch, what) + l2_terms();
  profiled(Phase::backward, [&] { run_backward(input_copy_.data(), batch); });
  have_training_forward_ = false;  // its backward has run: backward() needs a new forward_train
  return loss;
}

float Model::head_losses(const int32_t* labels, const float* targets, int batch, const char* what) {
  float loss = 0.0f;
  for (const OutputSpec& o : spec_.outputs) {
    const int64_t n = o.size * batch;
    float* grad = trn(o.logits_grad_offset);
    float* probs = o.absorbed != Activation::linear ? trn(o.probs_offset) : nullptr;
    switch (o.loss) {
      case Loss::softmax_crossentropy:
        loss += softmax_cross_entropy(grad, probs, trn(o.logits_offset), labels, batch, o.size,
                                      o.loss_weight);
        break;
      case Loss::mse:
        loss += mean_squared_error(grad, trn(o.logits_offset), targets, n, o.loss_weight);
        targets += n;
        break;
      case Loss::binary_crossentropy:
        try {
          loss += sigmoid_binary_cross_entropy(grad, probs, trn(o.logits_offset), targets, n,
                                               o.loss_weight);
        } catch (const Error& e) {
          throw Error(std::string(spec_.name) + "::" + what + ": output '" + std::string(o.layer) +
                      "': " + e.what());
        }
        targets += n;
        break;
      case Loss::none: break;
    }
  }
  return loss;
}

std::span<const float> Model::forward_train(std::span<const float> input, int batch) {
  start_training(input, batch, "forward_train");
  for (const OutputSpec& o : spec_.outputs)
    if (o.absorbed != Activation::linear)
      activation_forward(trn(o.probs_offset), trn(o.logits_offset), batch, o.size, o.absorbed);
  const OutputSpec& o = spec_.outputs[0];
  return {trn(o.probs_offset), static_cast<size_t>(o.size * batch)};
}

void Model::backward(std::span<const float> grad_output) {
  check_training("backward");
  if (!have_training_forward_)
    throw Error(std::string(spec_.name) + "::backward: call forward_train() first");
  const OutputSpec& o = spec_.outputs[0];
  const auto want = static_cast<size_t>(o.size * last_batch_);
  if (grad_output.size() != want)
    throw Error(std::string(spec_.name) + "::backward: gradient has " +
                std::to_string(grad_output.size()) + " floats, expected " + std::to_string(want) +
                " (batch " + std::to_string(last_batch_) + " x " + std::to_string(o.size) + ")");
  float* dlogits = trn(o.logits_grad_offset);
  if (o.absorbed != Activation::linear)
    activation_backward(dlogits, grad_output.data(), trn(o.logits_offset), trn(o.probs_offset),
                        last_batch_, o.size, o.absorbed);
  else
    for (size_t i = 0; i < want; ++i) dlogits[i] += grad_output[i];
  profiled(Phase::backward, [&] { run_backward(input_copy_.data(), last_batch_); });
  have_training_forward_ = false;
}

std::span<const float> Model::train_output(int i) const {
  check_training("train_output");
  output_size(i);  // checks i
  if (last_batch_ == 0)
    throw Error(std::string(spec_.name) + ": train_output() before any training forward");
  const OutputSpec& o = spec_.outputs[static_cast<size_t>(i)];
  return {training_arena_.data() + o.probs_offset * max_batch_,
          static_cast<size_t>(o.size * last_batch_)};
}

std::span<const float> Model::input_grad() const {
  if (!options_.input_grad || !options_.training)
    throw Error(std::string(spec_.name) +
                "::input_grad: build the model with ModelOptions::input_grad = true");
  const float* g = training_arena_.data() + spec_.input_grad_offset * max_batch_;
  const auto n = static_cast<size_t>(input_size_ * last_batch_);
  if (!spec_.input_nchw) return {g, n};
  // Back to the caller's layout: [n, H, W, C] -> [n, C, H, W].
  const int64_t h = spec_.input_shape[0], w = spec_.input_shape[1], c = spec_.input_shape[2];
  input_grad_nchw_.resize(n);
  for (int64_t b = 0; b < last_batch_; ++b)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k)
          input_grad_nchw_[static_cast<size_t>(((b * c + k) * h + y) * w + x)] =
              g[((b * h + y) * w + x) * c + k];
  return {input_grad_nchw_.data(), n};
}

void Model::to_nhwc(float* dst, std::span<const float> input, int batch) const {
  if (!spec_.input_nchw) {
    std::copy(input.begin(), input.end(), dst);
    return;
  }
  const int64_t h = spec_.input_shape[0], w = spec_.input_shape[1], c = spec_.input_shape[2];
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          dst[((b * h + y) * w + x) * c + k] =
              input[static_cast<size_t>(((b * c + k) * h + y) * w + x)];
}

float Model::l2_terms() {
  float loss = 0.0f;
  for (size_t i = 0; i < spec_.params.size(); ++i) {
    const ParamSpec& p = spec_.params[i];
    if (p.trainable && p.l2 > 0.0f)
      loss += l2_penalty(grad_ptrs_[i], values_[i], elements(p), p.l2);
  }
  return loss;
}

void Model::prepare() {
  prepare_weights();
  prepared_ok_ = true;
}

void Model::sgd_step(const SgdOptions& o) {
  check_training("sgd_step");
  prepared_ok_ = false;
  if (velocity_.size() != trainable_.size()) velocity_.assign(trainable_.size(), 0.0f);
  modelc::sgd_step(trainable_.data(), velocity_.data(), grads_.data(),
                   static_cast<int64_t>(trainable_.size()), o);
}

void Model::adam_step(const AdamOptions& o) {
  check_training("adam_step");
  prepared_ok_ = false;
  if (adam_m_.size() != trainable_.size()) {
    adam_m_.assign(trainable_.size(), 0.0f);
    adam_v_.assign(trainable_.size(), 0.0f);
  }
  modelc::adam_step(trainable_.data(), adam_m_.data(), adam_v_.data(), grads_.data(),
                    static_cast<int64_t>(trainable_.size()), ++adam_t_, o);
}

float Model::train_step(std::span<const float> input, std::span<const int32_t> labels, int batch,
                        const SgdOptions& o) {
  const float loss = loss_and_grad(input, labels, batch);
  sgd_step(o);
  return loss;
}

float Model::train_step(std::span<const float> input, std::span<const int32_t> labels, int batch,
                        const AdamOptions& o) {
  const float loss = loss_and_grad(input, labels, batch);
  adam_step(o);
  return loss;
}

float Model::train_step(std::span<const float> input, std::span<const float> targets, int batch,
                        const SgdOptions& o) {
  const float loss = loss_and_grad(input, targets, batch);
  sgd_step(o);
  return loss;
}

float Model::train_step(std::span<const float> input, std::span<const float> targets, int batch,
                        const AdamOptions& o) {
  const float loss = loss_and_grad(input, targets, batch);
  adam_step(o);
  return loss;
}

uint64_t Model::dropout_seed(int layer) const {
  return hash64(hash64(options_.seed, step_), static_cast<uint64_t>(layer));
}

}  // namespace modelc
