// Inference rules for the recurrent ops RNN, GRU and LSTM:
//   Y   [seq, num_directions, batch, hidden]   ([batch, seq, num_directions, hidden] if layout=1)
//   Y_h [num_directions, batch, hidden]        ([batch, num_directions, hidden] if layout=1)
//   Y_c (LSTM) like Y_h.
#include "core/analysis/infer_context.h"

namespace kiln::analysis {

namespace {

void recurrent(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* x = c.shape(0);
  bool batch_major = c.opset() >= 14 && c.node().attr_int("layout", 0) == 1;
  std::string direction = c.node().attr_string("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    c.warn("unknown direction '" + direction + "'");
  Dim seq, batch;
  if (x && x->rank() == 3) {
    seq = x->dims[batch_major ? 1 : 0];
    batch = x->dims[batch_major ? 0 : 1];
  } else if (x) {
    c.warn("input X must be 3-D");
  }
  Dim hidden;
  if (const Attribute* h = c.node().attr("hidden_size")) {
    hidden = Dim::known(h->i);
  } else if (const Shape* r = c.shape(2); r && r->rank() == 3) {
    hidden = r->dims[2];  // R is [num_directions, gates*hidden, hidden]
  }
  Dim nd = Dim::known(dirs);
  if (c.has_output(0))
    c.set(0, dt, batch_major ? Shape({batch, seq, nd, hidden}) : Shape({seq, nd, batch, hidden}));
  Shape state = batch_major ? Shape({batch, nd, hidden}) : Shape({nd, batch, hidden});
  for (size_t i = 1; i < c.num_outputs() && i <= 2; ++i) c.set(i, dt, state);
}

}  // namespace

void add_rnn_rules(RuleTable& t) {
  t.add("RNN", 1, recurrent);
  t.add("GRU", 1, recurrent);
  t.add("LSTM", 1, recurrent);
}

}  // namespace kiln::analysis
