// RNN, GRU and LSTM bindings: activations with their alpha/beta, directions, layout 0 and 1.
#include <algorithm>
#include <cctype>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/rnn.h"

namespace kiln::nn {

namespace {

struct RnnAttrs {
  std::string label;
  RnnParams base;
  int64_t layout = 0;
};

RnnActivation parse_activation(std::string name, const std::vector<float>& alphas, const std::vector<float>& betas,
                               size_t& ai, size_t& bi, const std::string& label) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  RnnActivation a;
  // Defaults per function; listed alpha/beta values are consumed in order by the functions that take them.
  auto take = [&](double da, double db, bool has_beta) {
    a.alpha = ai < alphas.size() ? alphas[ai++] : da;
    if (has_beta) a.beta = bi < betas.size() ? betas[bi++] : db;
  };
  if (name == "relu") a.kind = RnnActivationKind::Relu;
  else if (name == "tanh") a.kind = RnnActivationKind::Tanh;
  else if (name == "sigmoid") a.kind = RnnActivationKind::Sigmoid;
  else if (name == "softsign") a.kind = RnnActivationKind::Softsign;
  else if (name == "softplus") a.kind = RnnActivationKind::Softplus;
  else if (name == "affine") a.kind = RnnActivationKind::Affine, take(1.0, 0.0, true);
  else if (name == "leakyrelu") a.kind = RnnActivationKind::LeakyRelu, take(0.01, 0.0, false);
  else if (name == "thresholdedrelu") a.kind = RnnActivationKind::ThresholdedRelu, take(1.0, 0.0, false);
  else if (name == "scaledtanh") a.kind = RnnActivationKind::ScaledTanh, take(1.0, 1.0, true);
  else if (name == "hardsigmoid") a.kind = RnnActivationKind::HardSigmoid, take(0.2, 0.5, true);
  else if (name == "elu") a.kind = RnnActivationKind::Elu, take(1.0, 0.0, false);
  else fail_unsupported(label, ": activation '", name, "' is not supported");
  return a;
}

// [a, b, rest] -> [b, a, rest] for a row-major buffer.
template <class T>
std::vector<T> swap01(const T* src, int64_t a, int64_t b, int64_t rest) {
  std::vector<T> out(static_cast<size_t>(a * b * rest));
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      std::copy(src + (i * b + j) * rest, src + (i * b + j + 1) * rest, out.begin() + (j * a + i) * rest);
  return out;
}

void check_shape(const RtTensor* t, const std::vector<int64_t>& want, DataType dt, const std::string& label,
                 const char* what) {
  if (!t) return;
  if (t->dtype() != dt) fail(label, ": ", what, " has a different element type than X");
  if (t->shape() != want) fail(label, ": ", what, " ", shape_str(t->shape()), " must be ", shape_str(want));
}

void run_rnn(const RnnAttrs& ra, KernelContext& ctx) {
  const std::string& label = ra.label;
  const bool lstm = ra.base.cell == RnnCell::Lstm;
  const RtTensor& x = need_input(ctx, 0, label);
  const RtTensor& w = need_input(ctx, 1, label);
  const RtTensor& r = need_input(ctx, 2, label);
  auto opt = [&](size_t i) { return ctx.input_count() > i ? ctx.input(i) : nullptr; };
  const RtTensor *b = opt(3), *lens = opt(4), *h0 = opt(5), *c0 = lstm ? opt(6) : nullptr, *peep = lstm ? opt(7) : nullptr;
  RnnParams p = ra.base;
  if (x.rank() != 3) fail(label, ": X must be 3-D, got ", shape_str(x.shape()));
  p.seq_len = ra.layout ? x.dim(1) : x.dim(0);
  p.batch = ra.layout ? x.dim(0) : x.dim(1);
  p.input_size = x.dim(2);
  const int64_t G = rnn_gate_count(p.cell), H = p.hidden, D = p.directions, N = p.batch, S = p.seq_len;
  check_shape(&w, {D, G * H, p.input_size}, x.dtype(), label, "W");
  check_shape(&r, {D, G * H, H}, x.dtype(), label, "R");
  check_shape(b, {D, 2 * G * H}, x.dtype(), label, "B");
  const std::vector<int64_t> state = ra.layout ? std::vector<int64_t>{N, D, H} : std::vector<int64_t>{D, N, H};
  check_shape(h0, state, x.dtype(), label, "initial_h");
  check_shape(c0, state, x.dtype(), label, "initial_c");
  check_shape(peep, {D, 3 * H}, x.dtype(), label, "P");
  std::vector<int32_t> lens32;
  if (lens) {
    if (lens->numel() != N) fail(label, ": sequence_lens must hold one value per batch entry");
    for (int64_t i = 0; i < N; ++i)
      lens32.push_back(lens->dtype() == DataType::Int64 ? static_cast<int32_t>(lens->data<int64_t>()[i]) : lens->data<int32_t>()[i]);
  }
  const std::vector<int64_t> yshape = ra.layout ? std::vector<int64_t>{N, S, D, H} : std::vector<int64_t>{S, D, N, H};
  auto out = [&](size_t i, const std::vector<int64_t>& s) -> RtTensor* {
    return ctx.output_count() > i && ctx.output_wanted(i) ? &ctx.output(i, x.dtype(), s) : nullptr;
  };
  RtTensor* y = out(0, yshape);
  RtTensor* yh = out(1, state);
  RtTensor* yc = lstm ? out(2, state) : nullptr;
  dispatch_float(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    auto ptr = [](const RtTensor* t) { return t ? t->data<T>() : nullptr; };
    // Layout 1 is batch-major: swap to the kernel's seq-major layout and back.
    std::vector<T> xs, h0s, c0s, ys(static_cast<size_t>(S * D * N * H)), yhs(static_cast<size_t>(D * N * H)), ycs(yhs.size());
    const T* xp = x.data<T>();
    const T* h0p = ptr(h0);
    const T* c0p = ptr(c0);
    if (ra.layout) {
      xs = swap01(xp, N, S, p.input_size), xp = xs.data();
      if (h0p) h0s = swap01(h0p, N, D, H), h0p = h0s.data();
      if (c0p) c0s = swap01(c0p, N, D, H), c0p = c0s.data();
    }
    rnn_ref<T>(p, xp, w.data<T>(), r.data<T>(), ptr(b), lens ? lens32.data() : nullptr, h0p, c0p, ptr(peep),
               y ? ys.data() : nullptr, yh ? yhs.data() : nullptr, yc ? ycs.data() : nullptr);
    if (y) {
      // [S, D, N, H] -> [N, S, D, H] for layout 1.
      if (ra.layout) {
        for (int64_t s = 0; s < S; ++s)
          for (int64_t d = 0; d < D; ++d)
            for (int64_t n = 0; n < N; ++n)
              std::copy_n(ys.begin() + ((s * D + d) * N + n) * H, H, y->data<T>() + ((n * S + s) * D + d) * H);
      } else {
        std::copy(ys.begin(), ys.end(), y->data<T>());
      }
    }
    auto put_state = [&](RtTensor* t, const std::vector<T>& v) {
      if (!t) return;
      if (!ra.layout) return static_cast<void>(std::copy(v.begin(), v.end(), t->data<T>()));
      // [D, N, H] -> [N, D, H]
      for (int64_t d = 0; d < D; ++d)
        for (int64_t n = 0; n < N; ++n) std::copy_n(v.begin() + (d * N + n) * H, H, t->data<T>() + (n * D + d) * H);
    };
    put_state(yh, yhs);
    put_state(yc, ycs);
  });
}

auto rnn_factory(RnnCell cell) {
  return [cell](const KernelInit& init) {
    const Node& n = init.node;
    RnnAttrs ra;
    ra.label = node_label(n);
    RnnParams& p = ra.base;
    p.cell = cell;
    p.hidden = n.attr_int("hidden_size", 0);
    if (p.hidden < 1) fail(ra.label, ": hidden_size must be given and positive");
    const std::string dir = n.attr_string("direction", "forward");
    if (dir == "bidirectional") p.directions = 2;
    else if (dir == "reverse") p.reverse = true;
    else if (dir != "forward") fail(ra.label, ": direction '", dir, "' is not forward, reverse or bidirectional");
    p.clip = n.attr_float("clip", 0.f);
    p.linear_before_reset = n.attr_int("linear_before_reset", 0) != 0;
    p.input_forget = n.attr_int("input_forget", 0) != 0;
    ra.layout = n.attr_int("layout", 0);
    std::vector<std::string> names;
    if (const Attribute* a = n.attr("activations")) names = a->strings;
    const std::vector<std::string> dflt = cell == RnnCell::Rnn   ? std::vector<std::string>{"Tanh"}
                                          : cell == RnnCell::Gru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                                                 : std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"};
    if (names.empty())
      for (int64_t d = 0; d < p.directions; ++d) names.insert(names.end(), dflt.begin(), dflt.end());
    if (names.size() != dflt.size() * static_cast<size_t>(p.directions))
      fail(ra.label, ": activations must list ", std::to_string(dflt.size() * p.directions), " functions");
    const std::vector<float> alphas = n.attr_floats("activation_alpha"), betas = n.attr_floats("activation_beta");
    size_t ai = 0, bi = 0;
    for (const std::string& s : names) p.activations.push_back(parse_activation(s, alphas, betas, ai, bi, ra.label));
    return make_kernel([ra](KernelContext& ctx) { run_rnn(ra, ctx); });
  };
}

}  // namespace

void register_nn_rnn_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "RNN", 1, 1000, Backend::Ref, bind::half_storage(rnn_factory(RnnCell::Rnn))});
  r.add(KernelDef{"", "GRU", 1, 1000, Backend::Ref, bind::half_storage(rnn_factory(RnnCell::Gru))});
  r.add(KernelDef{"", "LSTM", 1, 1000, Backend::Ref, bind::half_storage(rnn_factory(RnnCell::Lstm))});
}

}  // namespace kiln::nn
