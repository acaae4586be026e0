// Depthwise convolution by output rows: for one (n, oy) the row of ow·oc
// outputs stays in cache while every tap adds x's matching row times the tap's
// weights, the loop over channels vectorised (dm = 1: a multiply-add of two
// contiguous rows). The backward gathers: dx by input rows, dw by taps, so no
// two threads write one element.
#include "modelc/depthwise_conv2d.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "conv/depthwise.hpp"
#include "conv/fused_act.hpp"
#include "threading.hpp"

namespace modelc {
namespace {

int64_t outputs(const DepthwiseGeom& g) { return g.win.c * g.dm; }
int64_t out_rows(const DepthwiseGeom& g) { return g.win.n * g.win.oh * g.win.ow; }

// Output columns [ox0, ox1) whose tap kx reads a real input column.
void tap_columns(const Window2d& v, int64_t kx, int64_t& ox0, int64_t& ox1) {
  const int64_t off = kx * v.dw - v.pad_left;  // ix = ox * sw + off
  ox0 = off >= 0 ? 0 : (-off + v.sw - 1) / v.sw;
  ox1 = v.w - off <= 0 ? 0 : std::min(v.ow, (v.w - off + v.sw - 1) / v.sw);
  ox0 = std::min(ox0, ox1);
}

// out[ox, o] += x[ix(ox), o / dm] * wt[o] over [ox0, ox1).
void add_tap(float* out, const float* xrow, const float* wt, const Window2d& v, int64_t dm,
             int64_t oc, int64_t off, int64_t ox0, int64_t ox1) {
  for (int64_t ox = ox0; ox < ox1; ++ox) {
    float* __restrict o = out + ox * oc;
    const float* __restrict xs = xrow + (ox * v.sw + off) * v.c;
    if (dm == 1) {
#pragma omp simd
      for (int64_t c = 0; c < oc; ++c) o[c] += xs[c] * wt[c];
    } else {
      for (int64_t c = 0; c < v.c; ++c)
        for (int64_t j = 0; j < dm; ++j) o[c * dm + j] += xs[c] * wt[c * dm + j];
    }
  }
}

// dm = 1, one output row: each pixel's channels in blocks of kLanes held in
// registers across every tap, then stored once (the tap-by-tap sweep of
// add_tap would load and store the row kh·kw times).
constexpr int64_t kLanes = 64;

template <int64_t L>
inline void pixel_block(float* __restrict out, const float* image, const float* w,
                        const float* shift, const Window2d& v, int64_t oy, int64_t ox, int64_t c0) {
  float acc[L];
#pragma omp simd
  for (int64_t i = 0; i < L; ++i) acc[i] = shift != nullptr ? shift[c0 + i] : 0.0f;
  for (int64_t ky = 0; ky < v.kh; ++ky) {
    const int64_t iy = oy * v.sh + ky * v.dh - v.pad_top;
    if (iy < 0 || iy >= v.h) continue;
    for (int64_t kx = 0; kx < v.kw; ++kx) {
      const int64_t ix = ox * v.sw + kx * v.dw - v.pad_left;
      if (ix < 0 || ix >= v.w) continue;
      const float* __restrict xs = image + (iy * v.w + ix) * v.c + c0;
      const float* __restrict wt = w + (ky * v.kw + kx) * v.c + c0;
#pragma omp simd
      for (int64_t i = 0; i < L; ++i) acc[i] += xs[i] * wt[i];
    }
  }
#pragma omp simd
  for (int64_t i = 0; i < L; ++i) out[i] = acc[i];
}

void by_pixel(float* z, const float* image, const float* w, const float* shift, const Window2d& v,
              int64_t oy) {
  for (int64_t ox = 0; ox < v.ow; ++ox) {
    float* out = z + ox * v.c;
    int64_t c0 = 0;
    for (; c0 + kLanes <= v.c; c0 += kLanes)
      pixel_block<kLanes>(out + c0, image, w, shift, v, oy, ox, c0);
    for (; c0 + 16 <= v.c; c0 += 16) pixel_block<16>(out + c0, image, w, shift, v, oy, ox, c0);
    for (; c0 < v.c; ++c0) pixel_block<1>(out + c0, image, w, shift, v, oy, ox, c0);
  }
}

}  // namespace

void detail::depthwise_run(float* y, const float* x, const float* w, const float* shift,
                           const float* residual, const DepthwiseGeom& g, Activation act,
                           float* keep) {
  const Window2d& v = g.win;
  const int64_t oc = outputs(g), row = v.ow * oc;
#pragma omp parallel for schedule(static) if (out_rows(g) * oc * v.kh * v.kw >= \
                                              detail::kParallelMinFloats)
  for (int64_t r = 0; r < v.n * v.oh; ++r) {
    const int64_t n = r / v.oh, oy = r % v.oh;
    float* z = (keep != nullptr ? keep : y) + r * row;
    if (g.dm == 1) {
      by_pixel(z, x + n * v.h * v.w * v.c, w, shift, v, oy);
    } else {
      for (int64_t ox = 0; ox < v.ow; ++ox) {
        if (shift != nullptr) {
          std::memcpy(z + ox * oc, shift, static_cast<size_t>(oc) * sizeof(float));
        } else {
          std::fill_n(z + ox * oc, oc, 0.0f);
        }
      }
      for (int64_t ky = 0; ky < v.kh; ++ky) {
        const int64_t iy = oy * v.sh + ky * v.dh - v.pad_top;
        if (iy < 0 || iy >= v.h) continue;
        const float* xrow = x + (n * v.h + iy) * v.w * v.c;
        for (int64_t kx = 0; kx < v.kw; ++kx) {
          int64_t ox0 = 0, ox1 = 0;
          tap_columns(v, kx, ox0, ox1);
          add_tap(z, xrow, w + (ky * v.kw + kx) * oc, v, g.dm, oc, kx * v.dw - v.pad_left, ox0,
                  ox1);
        }
      }
    }
    if (keep != nullptr) {
      detail::act_forward(y + r * row, z, v.ow, oc, act);
    } else if (residual != nullptr || act != Activation::linear) {
      detail::output_pass(z, nullptr, nullptr, residual != nullptr ? residual + r * row : nullptr,
                          v.ow, oc, act);
    }
  }
}

namespace {

void prepare(float* prepared, const float* w, const float* b, const BatchnormFold* bn,
             const DepthwiseGeom& g) {
  const int64_t oc = outputs(g), taps = g.win.kh * g.win.kw;
  float* shift = prepared + taps * oc;
  for (int64_t o = 0; o < oc; ++o) {
    const double bias = b != nullptr ? b[o] : 0.0;
    double s = 1.0;
    shift[o] = static_cast<float>(bias);
    if (bn != nullptr) {
      s = bn->gamma[o] / std::sqrt(static_cast<double>(bn->moving_var[o]) + bn->epsilon);
      shift[o] = static_cast<float>((bias - bn->moving_mean[o]) * s + bn->beta[o]);
    }
    for (int64_t t = 0; t < taps; ++t)
      prepared[t * oc + o] = bn != nullptr ? static_cast<float>(w[t * oc + o] * s) : w[t * oc + o];
  }
}

}  // namespace

void depthwise_conv2d_forward(float* y, const float* x, const float* w, const float* b,
                              const DepthwiseGeom& g, Activation act, float* pre) {
  detail::depthwise_run(y, x, w, b, nullptr, g, act, pre);
}

void depthwise_conv2d_prepare(float* prepared, const float* w, const float* b,
                              const DepthwiseGeom& g) {
  prepare(prepared, w, b, nullptr, g);
}

void depthwise_conv2d_prepare(float* prepared, const float* w, const float* b,
                              const BatchnormFold& bn, const DepthwiseGeom& g) {
  prepare(prepared, w, b, &bn, g);
}

void depthwise_conv2d_forward_prepared(float* y, const float* x, const float* prepared,
                                       const float* residual, const DepthwiseGeom& g,
                                       Activation act) {
  const int64_t oc = outputs(g);
  detail::depthwise_run(y, x, prepared, prepared + g.win.kh * g.win.kw * oc, residual, g, act,
                        nullptr);
}

size_t depthwise_conv2d_backward_scratch(const DepthwiseGeom& g, Activation act) {
  return act == Activation::linear ? 0 : static_cast<size_t>(out_rows(g) * outputs(g));
}

void depthwise_conv2d_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                               const float* w, const float* y, const DepthwiseGeom& g,
                               Activation act, float* scratch, const float* pre) {
  const Window2d& v = g.win;
  const int64_t oc = outputs(g), taps = v.kh * v.kw, dm = g.dm;
  const float* dz = dy;
  if (act != Activation::linear) {
    detail::act_dz(scratch, dy, y, pre, out_rows(g), oc, act);
    dz = scratch;
  }
  if (db != nullptr) detail::bias_grad_add(db, dz, out_rows(g), oc);
  const bool parallel = out_rows(g) * oc * taps >= detail::kParallelMinFloats;
  // dw[tap, o] += sum over (n, oy, ox) of x at the tap's input times dz: one thread per tap.
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < taps; ++t) {
    const int64_t ky = t / v.kw, kx = t % v.kw;
    float* __restrict dwt = dw + t * oc;
    int64_t ox0 = 0, ox1 = 0;
    tap_columns(v, kx, ox0, ox1);
    const int64_t off = kx * v.dw - v.pad_left;
    for (int64_t r = 0; r < v.n * v.oh; ++r) {
      const int64_t n = r / v.oh, oy = r % v.oh;
      const int64_t iy = oy * v.sh + ky * v.dh - v.pad_top;
      if (iy < 0 || iy >= v.h) continue;
      const float* xrow = x + (n * v.h + iy) * v.w * v.c;
      for (int64_t ox = ox0; ox < ox1; ++ox) {
        const float* __restrict xs = xrow + (ox * v.sw + off) * v.c;
        const float* __restrict d = dz + (r * v.ow + ox) * oc;
        if (dm == 1) {
#pragma omp simd
          for (int64_t c = 0; c < oc; ++c) dwt[c] += xs[c] * d[c];
        } else {
          for (int64_t o = 0; o < oc; ++o) dwt[o] += xs[o / dm] * d[o];
        }
      }
    }
  }
  if (dx == nullptr) return;
    // dx[n, iy, ix, c] += sum over taps and j of w[tap, c·dm + j] * dz at the output that read it.
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < v.n * v.h; ++r) {
    const int64_t n = r / v.h, iy = r % v.h;
    float* dxrow = dx + r * v.w * v.c;
    for (int64_t ky = 0; ky < v.kh; ++ky) {
      const int64_t ty = iy + v.pad_top - ky * v.dh;  // = oy * sh
      if (ty < 0 || ty % v.sh != 0 || ty / v.sh >= v.oh) continue;
      const float* dzrow = dz + (n * v.oh + ty / v.sh) * v.ow * oc;
      for (int64_t kx = 0; kx < v.kw; ++kx) {
        const float* __restrict wt = w + (ky * v.kw + kx) * oc;
        int64_t ox0 = 0, ox1 = 0;
        tap_columns(v, kx, ox0, ox1);
        const int64_t off = kx * v.dw - v.pad_left;
        for (int64_t ox = ox0; ox < ox1; ++ox) {
          float* __restrict d = dxrow + (ox * v.sw + off) * v.c;
          const float* __restrict s = dzrow + ox * oc;
          if (dm == 1) {
#pragma omp simd
            for (int64_t c = 0; c < oc; ++c) d[c] += wt[c] * s[c];
          } else {
            for (int64_t c = 0; c < v.c; ++c)
              for (int64_t j = 0; j < dm; ++j) d[c] += wt[c * dm + j] * s[c * dm + j];
          }
        }
      }
    }
  }
}

}  // namespace modelc
