#pragma once
// Reference recurrent layers (ONNX RNN, GRU, LSTM) in the seq-major layout:
// X [seq, batch, input], W [dirs, gates*H, input], R [dirs, gates*H, H], B [dirs, 2*gates*H],
// initial / final states [dirs, batch, H], Y [seq, dirs, batch, H]. Gate orders are ONNX's:
// LSTM i,o,f,c (peepholes i,o,f); GRU z,r,h; RNN one gate.
#include <cstdint>
#include <vector>

namespace kiln {

enum class RnnCell { Rnn, Gru, Lstm };

enum class RnnActivationKind {
  Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus,
};

struct RnnActivation {
  RnnActivationKind kind = RnnActivationKind::Tanh;
  double alpha = 0.0, beta = 0.0;
};

struct RnnParams {
  RnnCell cell = RnnCell::Rnn;
  int64_t seq_len = 0, batch = 0, input_size = 0, hidden = 0;
  int64_t directions = 1;
  bool reverse = false;  // with one direction: run it backwards
  // Per direction, in ONNX order: RNN f; GRU f, g; LSTM f, g, h.
  std::vector<RnnActivation> activations;
  double clip = 0.0;  // > 0: gate pre-activations are clipped to [-clip, clip]
  bool linear_before_reset = false;  // GRU
  bool input_forget = false;         // LSTM: forget gate coupled to the input gate
};

int64_t rnn_gate_count(RnnCell cell);

// Optional pointers may be null (B, seq_lens, initial_h, initial_c, P, and every output).
template <class T>
void rnn_ref(const RnnParams& p, const T* x, const T* w, const T* r, const T* b, const int32_t* seq_lens,
             const T* initial_h, const T* initial_c, const T* peep, T* y, T* y_h, T* y_c);

}  // namespace kiln
