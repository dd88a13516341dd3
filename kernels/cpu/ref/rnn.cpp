#include "kernels/cpu/ref/rnn.h"

#include <algorithm>
#include <cmath>

namespace kiln {

int64_t rnn_gate_count(RnnCell cell) {
  switch (cell) {
    case RnnCell::Rnn:
      return 1;
    case RnnCell::Gru:
      return 3;
    case RnnCell::Lstm:
      return 4;
  }
  return 1;
}

namespace {

double activate(const RnnActivation& a, double v) {
  switch (a.kind) {
    case RnnActivationKind::Relu:
      return std::max(0.0, v);
    case RnnActivationKind::Tanh:
      return std::tanh(v);
    case RnnActivationKind::Sigmoid:
      return 1.0 / (1.0 + std::exp(-v));
    case RnnActivationKind::Affine:
      return a.alpha * v + a.beta;
    case RnnActivationKind::LeakyRelu:
      return v >= 0 ? v : a.alpha * v;
    case RnnActivationKind::ThresholdedRelu:
      return v > a.alpha ? v : 0.0;
    case RnnActivationKind::ScaledTanh:
      return a.alpha * std::tanh(a.beta * v);
    case RnnActivationKind::HardSigmoid:
      return std::clamp(a.alpha * v + a.beta, 0.0, 1.0);
    case RnnActivationKind::Elu:
      return v >= 0 ? v : a.alpha * (std::exp(v) - 1.0);
    case RnnActivationKind::Softsign:
      return v / (1.0 + std::fabs(v));
    case RnnActivationKind::Softplus:
      return std::log1p(std::exp(v));
  }
  return v;
}

}  // namespace

template <class T>
void rnn_ref(const RnnParams& p, const T* x, const T* w, const T* r, const T* b, const int32_t* seq_lens,
             const T* initial_h, const T* initial_c, const T* peep, T* y, T* y_h, T* y_c) {
  const int64_t G = rnn_gate_count(p.cell), H = p.hidden, I = p.input_size, N = p.batch, S = p.seq_len;
  const size_t acts_per_dir = p.cell == RnnCell::Rnn ? 1 : p.cell == RnnCell::Gru ? 2 : 3;
  auto clip = [&](double v) { return p.clip > 0 ? std::clamp(v, -p.clip, p.clip) : v; };
  if (y) std::fill(y, y + S * p.directions * N * H, T(0));
  for (int64_t d = 0; d < p.directions; ++d) {
    const bool backward = d == 1 || p.reverse;
    const T* wd = w + d * G * H * I;
    const T* rd = r + d * G * H * H;
    const T* wb = b ? b + d * 2 * G * H : nullptr;
    const T* rb = b ? wb + G * H : nullptr;
    const T* pd = peep ? peep + d * 3 * H : nullptr;
    const RnnActivation* act = p.activations.data() + d * acts_per_dir;
    std::vector<double> h(static_cast<size_t>(N * H), 0.0), c(h.size(), 0.0);
    for (int64_t i = 0; i < N * H; ++i) {
      if (initial_h) h[i] = initial_h[d * N * H + i];
      if (initial_c) c[i] = initial_c[d * N * H + i];
    }
    std::vector<double> gx(static_cast<size_t>(G * H)), gh(gx.size());
    for (int64_t n = 0; n < N; ++n) {
      const int64_t len = seq_lens ? std::clamp<int64_t>(seq_lens[n], 0, S) : S;
      double* hn = h.data() + n * H;
      double* cn = c.data() + n * H;
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = backward ? len - 1 - step : step;
        const T* xt = x + (t * N + n) * I;
        // gx = W x + Wb, gh = R h + Rb, per gate row.
        for (int64_t g = 0; g < G * H; ++g) {
          double sx = wb ? static_cast<double>(wb[g]) : 0.0, sh = rb ? static_cast<double>(rb[g]) : 0.0;
          for (int64_t k = 0; k < I; ++k) sx += static_cast<double>(wd[g * I + k]) * xt[k];
          for (int64_t k = 0; k < H; ++k) sh += static_cast<double>(rd[g * H + k]) * hn[k];
          gx[g] = sx, gh[g] = sh;
        }
        std::vector<double> next(static_cast<size_t>(H));
        if (p.cell == RnnCell::Rnn) {
          for (int64_t j = 0; j < H; ++j) next[j] = activate(act[0], clip(gx[j] + gh[j]));
        } else if (p.cell == RnnCell::Gru) {
          for (int64_t j = 0; j < H; ++j) {
            const double z = activate(act[0], clip(gx[j] + gh[j]));
            const double rr = activate(act[0], clip(gx[H + j] + gh[H + j]));
            double pre;
            if (p.linear_before_reset) {
              pre = gx[2 * H + j] + rr * gh[2 * H + j];
            } else {
              // (r . h) R_h^T needs the reset applied before the recurrent product.
              double s = rb ? static_cast<double>(rb[2 * H + j]) : 0.0;
              for (int64_t k = 0; k < H; ++k) {
                const double rk = activate(act[0], clip(gx[H + k] + gh[H + k]));
                s += static_cast<double>(rd[(2 * H + j) * H + k]) * rk * hn[k];
              }
              pre = gx[2 * H + j] + s;
            }
            const double hh = activate(act[1], clip(pre));
            next[j] = (1.0 - z) * hh + z * hn[j];
          }
        } else {
          for (int64_t j = 0; j < H; ++j) {
            const double pi = pd ? static_cast<double>(pd[j]) : 0.0;
            const double po = pd ? static_cast<double>(pd[H + j]) : 0.0;
            const double pf = pd ? static_cast<double>(pd[2 * H + j]) : 0.0;
            const double it = activate(act[0], clip(gx[j] + gh[j] + pi * cn[j]));
            const double ft = p.input_forget ? 1.0 - it : activate(act[0], clip(gx[2 * H + j] + gh[2 * H + j] + pf * cn[j]));
            const double ct = activate(act[1], clip(gx[3 * H + j] + gh[3 * H + j]));
            const double cnew = ft * cn[j] + it * ct;
            const double ot = activate(act[0], clip(gx[H + j] + gh[H + j] + po * cnew));
            cn[j] = cnew;
            next[j] = ot * activate(act[2], cnew);
          }
        }
        std::copy(next.begin(), next.end(), hn);
        if (y)
          for (int64_t j = 0; j < H; ++j) y[((t * p.directions + d) * N + n) * H + j] = static_cast<T>(hn[j]);
      }
    }
    for (int64_t i = 0; i < N * H; ++i) {
      if (y_h) y_h[d * N * H + i] = static_cast<T>(h[i]);
      if (y_c) y_c[d * N * H + i] = static_cast<T>(c[i]);
    }
  }
}

template void rnn_ref<float>(const RnnParams&, const float*, const float*, const float*, const float*, const int32_t*,
                             const float*, const float*, const float*, float*, float*, float*);
template void rnn_ref<double>(const RnnParams&, const double*, const double*, const double*, const double*,
                              const int32_t*, const double*, const double*, const double*, double*, double*, double*);

}  // namespace kiln
