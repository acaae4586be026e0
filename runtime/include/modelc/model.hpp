// The base of every generated model: parameter storage and names, weights I/O,
// initialisation, loss heads, optimiser steps and the checks at the API
// boundary. The generated subclass supplies only the layer calls (inference
// forward, training forward, backward) and the static tables describing them.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <new>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modelc/activation.hpp"
#include "modelc/loss.hpp"
#include "modelc/optim.hpp"
#include "modelc/param.hpp"

namespace modelc {

class SafetensorsFile;

enum class Init : uint8_t { glorot_uniform, zeros, ones, constant };

// 64-byte aligned storage, so every buffer's alignment (and with it the
// kernels' vector code paths and results) is the same in every model object.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, size_t) { ::operator delete (p, std::align_val_t{64}); }
  bool operator==(const AlignedAllocator&) const { return true; }
};
template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

// One parameter tensor, as the generated code lists it (spec order).
struct ParamSpec {
  std::string_view name;         // "<layer path>.<weight>", e.g. "conv1.kernel"
  std::array<int64_t, 4> shape;  // Keras layout; the first `rank` entries are used
  int rank;
  Init init;
  int64_t fan_in, fan_out;  // for glorot_uniform
  bool trainable;           // false: batchnorm moving statistics
  float l2;                 // L2 factor on this tensor (kernels only), 0 for none
  // Init::constant's value (scale's gamma). Last and defaulted, so that tables
  // of models without a constant initialiser leave it out.
  float value = 0.0f;
};

// One output of the network. Offsets are in floats per image of the arena they
// live in (multiplied by max_batch at run time); -1 where not present.
struct OutputSpec {
  std::string_view layer;
  int64_t size;  // floats per image (classes for a loss head)
  Loss loss;
  float loss_weight;
  bool training_only;  // not computed by forward()
  // softmax (softmax_crossentropy) or sigmoid (binary_crossentropy) that the
  // loss takes in, computing it on the logits before; linear: none.
  Activation absorbed;
  int64_t inference_offset;  // in the inference arena; -1 for training_only outputs
  int64_t logits_offset;     // training arena: pre-softmax logits (or the output itself)
  int64_t probs_offset;  // training arena: the head's output (== logits_offset if nothing absorbed)
  int64_t logits_grad_offset;  // training arena: dL/dlogits
};

// One layer of the generated code, for profiles (bench --profile): its name,
// op and MACs per image (0 for ops without multiply-accumulates). The generated
// code marks the start of layer i with layer(i), i indexing ModelSpec::layers.
struct LayerSpec {
  std::string_view name;
  std::string_view op;
  int64_t macs;
  bool inference;  // computed by forward() (false: training-only heads)
};

enum class Phase : uint8_t { inference, training, backward };

// Everything static about a generated model.
struct ModelSpec {
  std::string_view name;
  std::span<const ParamSpec> params;
  std::span<const int64_t> input_shape;  // without the batch
  std::span<const OutputSpec> outputs;
  int64_t inference_arena;                     // floats per image
  int64_t training_arena;                      // floats per image
  int64_t grad_region_begin, grad_region_end;  // part of the training arena zeroed before backward
  int64_t input_grad_offset;                   // in the training arena
  int64_t masks_per_image;                     // bytes per image of dropout masks
  std::span<const LayerSpec> layers;           // every node but the input, in graph order
  int64_t prepared_floats;                     // weights prepared for inference (not per image)
  bool input_nchw = false;  // the API takes [C, H, W] images (input_shape stays [H, W, C])
};

// Limits checked when a model object is built, each a modelc::Error with the
// numbers (docs/limits.md): the bytes of activation arenas, kernel scratch and
// the kept training input at max_batch (weights not included), and threads.
inline constexpr uint64_t kMaxArenaBytes = uint64_t{1} << 40;  // 1 TiB
inline constexpr int kMaxThreads = 1024;

struct ModelOptions {
  int threads = 0;          // 0: every core
  bool training = true;     // allocate what loss_and_grad/backward need
  bool dropout = true;      // dropout active in training (off: deterministic comparisons)
  bool input_grad = false;  // backward also computes dL/dinput
  uint64_t seed = 0;        // dropout RNG
};

class Model {
 public:
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Keras's defaults: glorot-uniform kernels, zero biases, batchnorm gamma 1,
  // beta 0, moving mean 0, moving variance 1, layernorm gamma 1, beta 0; scale's
  // gamma its `init` value. Deterministic for a seed.
  void init_weights(uint64_t seed);
  // safetensors with Keras names and layouts. Every missing, extra or
  // mis-shaped tensor is reported in one modelc::Error.
  void load_weights(const std::string& path);
  // Same, from a file already read or parsed from bytes (SafetensorsFile::parse);
  // `what` names it in errors.
  void load_weights(const SafetensorsFile& file, const std::string& what);
  void save_weights(const std::string& path) const;

  // Inference: NHWC input of batch * input_size() floats; returns output 0.
  std::span<const float> forward(std::span<const float> input, int batch);
  // Output i of the last forward() (inference outputs only).
  std::span<const float> output(int i) const;

  // Training: forward in training mode, sum of each head's loss times its
  // loss_weight plus the l2 terms; fills every gradient; returns the loss.
  // Heads with softmax_crossentropy take `labels` (one per sample, shared by
  // all such heads); heads with mse or binary_crossentropy take float
  // `targets`: for each such head in output order, batch * output_size(i)
  // floats, one after the other (target_size() floats per sample in all). An
  // autoencoder trains with loss_and_grad(images, images, batch).
  float loss_and_grad(std::span<const float> input, std::span<const int32_t> labels, int batch);
  float loss_and_grad(std::span<const float> input, std::span<const float> targets, int batch);
  float loss_and_grad(std::span<const float> input, std::span<const int32_t> labels,
                      std::span<const float> targets, int batch);
  // Floats of float targets per sample: the sum of output_size(i) over the
  // mse and binary_crossentropy heads.
  int64_t target_size() const;
  // Lower level, for users with their own loss: a training-mode forward that
  // returns output 0, then backward from dL/d(output 0).
  std::span<const float> forward_train(std::span<const float> input, int batch);
  void backward(std::span<const float> grad_output);
  // Output i of the last training forward (loss_and_grad, train_step or
  // forward_train), [batch, ...]: the head's output (softmax probabilities,
  // sigmoid values where the loss took those in). For training accuracy without a second forward.
  std::span<const float> train_output(int i) const;
  // dL/dinput of the last backward (ModelOptions::input_grad must be set).
  std::span<const float> input_grad() const;

  void sgd_step(const SgdOptions& o);
  void adam_step(const AdamOptions& o);
  float train_step(std::span<const float> input, std::span<const int32_t> labels, int batch,
                   const SgdOptions& o);
  float train_step(std::span<const float> input, std::span<const int32_t> labels, int batch,
                   const AdamOptions& o);
  float train_step(std::span<const float> input, std::span<const float> targets, int batch,
                   const SgdOptions& o);
  float train_step(std::span<const float> input, std::span<const float> targets, int batch,
                   const AdamOptions& o);

  // Every tensor in spec order: trainable ones with their gradient, then the
  // batchnorm moving statistics interleaved where they belong (grad empty).
  // The non-const form may be used to write values, so it marks the weights
  // changed (see prepare()); after writing through the const form, call
  // weights_changed().
  std::span<const Param> params() {
    prepared_ok_ = false;
    return params_;
  }
  std::span<const Param> params() const { return params_; }

  // Inference runs on weights prepared from the parameters: conv kernels
  // packed into the GEMM's layout, with the bias and a following batchnorm's
  // moving statistics folded into a per-channel scale and shift. forward()
  // prepares when the weights changed since the last time: after
  // init_weights, load_weights, a training forward (moving statistics), an
  // optimiser step, non-const params() or weights_changed().
  void prepare();
  void weights_changed() { prepared_ok_ = false; }
  // All gradients, one contiguous buffer (trainable tensors in spec order).
  std::span<float> gradients() { return grads_; }

  // Per-layer wall time, for finding the slow layers. Off by default; when off
  // each layer costs one predictable branch. Times add up over calls until
  // reset_profile(); a layer fused into the one before it (batchnorm and relu
  // after a conv at inference) has its time counted there.
  void set_profiling(bool on) { profiling_ = on; }
  void reset_profile();
  std::span<const LayerSpec> layers() const { return spec_.layers; }
  std::span<const double> layer_seconds(Phase phase) const {
    return profile_[static_cast<size_t>(phase)];
  }

  // Bytes held by the model object, by purpose (optimiser state not included).
  struct MemoryUse {
    size_t weights, gradients, prepared, inference_arena, training_arena, scratch;
  };
  MemoryUse memory_use() const;

  std::string_view name() const { return spec_.name; }
  int max_batch() const { return max_batch_; }
  int64_t input_size() const { return input_size_; }
  int64_t output_size(int i) const;
  int num_outputs() const { return static_cast<int>(spec_.outputs.size()); }

 protected:
  // Floats of kernel scratch (im2col, pre-activation gradients) for `batch`
  // images; the constructor calls it only once max_batch is known to fit.
  using ScratchFloats = size_t (*)(int64_t batch, bool training);
  Model(const ModelSpec& spec, int max_batch, const ModelOptions& options,
        ScratchFloats scratch_floats);

  // Generated: the layer calls. x holds batch * input_size() floats.
  virtual void run_inference(const float* x, int batch) = 0;
  virtual void run_training(const float* x, int batch) = 0;
  virtual void run_backward(const float* x, int batch) = 0;
  // Generated: fills the prepared-weights buffer (prep()) from the parameters.
  virtual void prepare_weights() = 0;

  // For the generated code: tensors by index in the ParamSpec table.
  float* w(int i) { return values_[static_cast<size_t>(i)]; }
  float* dw(int i) { return grad_ptrs_[static_cast<size_t>(i)]; }
  // Arena buffers by per-image offset.
  float* inf(int64_t offset) { return inference_arena_.data() + offset * max_batch_; }
  float* trn(int64_t offset) { return training_arena_.data() + offset * max_batch_; }
  uint8_t* mask(int64_t offset) { return masks_.data() + offset * max_batch_; }
  float* scratch() { return scratch_.data(); }
  float* prep(int64_t offset) { return prepared_.data() + offset; }
  // Marks the start of layer i (profiling only).
  void layer(int i) {
    if (profiling_) [[unlikely]]
      mark_layer(i);
  }
  bool dropout_on() const { return options_.dropout; }
  bool want_input_grad() const { return options_.input_grad; }
  // A fresh dropout seed for layer `layer` of the current training step.
  uint64_t dropout_seed(int layer) const;

 private:
  void check_arena_bytes(ScratchFloats scratch_floats);
  void allocate(size_t scratch_floats);
  void check_batch(int batch, size_t input_floats, const char* what) const;
  void check_training(const char* what) const;
  // Copies the input, runs the training forward and zeroes every gradient.
  void start_training(std::span<const float> input, int batch, const char* what);
  void reset_optimizers();
  float l2_terms();
  // The heads' losses (after a training forward), their gradients added.
  float head_losses(const int32_t* labels, const float* targets, int batch, const char* what);
  void mark_layer(int i);
  // Runs one of the generated passes, with profiling around it when on.
  template <class F>
  void profiled(Phase phase, F run) {
    if (profiling_) [[unlikely]] {
      phase_ = phase;
      current_layer_ = -1;
      run();
      mark_layer(-1);
    } else {
      run();
    }
  }

  ModelSpec spec_;
  ModelOptions options_;
  int max_batch_;
  uint64_t arena_bytes_ = 0;  // arenas, scratch and kept input at max_batch
  int64_t input_size_;
  int last_batch_ = 0;            // of the last forward_train/loss_and_grad
  int last_inference_batch_ = 0;  // of the last forward
  bool have_training_forward_ = false;
  uint64_t step_ = 0;
  int64_t adam_t_ = 0;

  AlignedVector<float> trainable_;  // all trainable values, spec order
  AlignedVector<float> state_;      // non-trainable tensors (moving statistics)
  AlignedVector<float> grads_;      // same layout as trainable_
  AlignedVector<float> velocity_, adam_m_, adam_v_;
  std::vector<float*> values_, grad_ptrs_;
  std::vector<Param> params_;
  AlignedVector<float> inference_arena_, training_arena_, scratch_;
  AlignedVector<float> input_copy_;             // the training input, kept for backward (NHWC)
  AlignedVector<float> nhwc_input_;             // input_nchw: the inference input, transposed
  mutable std::vector<float> input_grad_nchw_;  // input_nchw: input_grad(), transposed
  // Copies batch images into dst as NHWC (transposing [C, H, W] ones).
  void to_nhwc(float* dst, std::span<const float> input, int batch) const;
  AlignedVector<float> prepared_;  // weights prepared for inference (prepare())
  bool prepared_ok_ = false;
  std::vector<uint8_t> masks_;

  bool profiling_ = false;
  Phase phase_ = Phase::inference;
  int current_layer_ = -1;
  std::chrono::steady_clock::time_point layer_start_;
  std::array<std::vector<double>, 3> profile_;
};

}  // namespace modelc
