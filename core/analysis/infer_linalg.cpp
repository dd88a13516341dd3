// Inference rules for matrix products: MatMul, Gemm, Einsum, Det.
#include <algorithm>
#include <array>

#include "core/analysis/infer_context.h"
#include "core/analysis/infer_shared.h"

namespace kiln::analysis {

std::optional<Shape> matmul_output_shape(InferContext& c, const Shape& a, const Shape& b) {
  if (a.rank() == 0 || b.rank() == 0) {
    c.warn("matmul operands must have rank >= 1");
    return std::nullopt;
  }
  Shape x = a, y = b;
  bool drop_m = x.rank() == 1, drop_n = y.rank() == 1;
  if (drop_m) x.dims.insert(x.dims.begin(), Dim::known(1));
  if (drop_n) y.dims.push_back(Dim::known(1));
  bool conflict = false;
  refine_dim(x.dims.back(), y.dims[y.rank() - 2], &conflict);
  if (conflict) {
    c.warn("inner dims differ: " + a.str() + " x " + b.str());
    return std::nullopt;
  }
  Shape xb(std::vector<Dim>(x.dims.begin(), x.dims.end() - 2));
  Shape yb(std::vector<Dim>(y.dims.begin(), y.dims.end() - 2));
  Shape out = broadcast_shapes(xb, yb, &conflict);
  if (conflict) c.warn("batch dims cannot be broadcast: " + a.str() + " x " + b.str());
  if (!drop_m) out.dims.push_back(x.dims[x.rank() - 2]);
  if (!drop_n) out.dims.push_back(y.dims.back());
  return out;
}

std::optional<Shape> gemm_output_shape(InferContext& c, const Shape& a, const Shape& b) {
  if (a.rank() != 2 || b.rank() != 2) {
    c.warn("Gemm operands must be 2-D");
    return std::nullopt;
  }
  bool ta = c.node().attr_int("transA", 0) != 0, tb = c.node().attr_int("transB", 0) != 0;
  const Dim& m = a.dims[ta ? 1 : 0];
  const Dim& ka = a.dims[ta ? 0 : 1];
  const Dim& kb = b.dims[tb ? 1 : 0];
  const Dim& n = b.dims[tb ? 0 : 1];
  bool conflict = false;
  refine_dim(ka, kb, &conflict);
  if (conflict) c.warn("inner dims differ: " + a.str() + " x " + b.str());
  return Shape({m, n});
}

namespace {

void matmul(InferContext& c) {
  DataType dt = c.node().op_type == "MatMulInteger" ? DataType::Int32 : c.dtype(0);
  const Shape* a = c.shape(0);
  const Shape* b = c.shape(1);
  std::optional<Shape> out;
  if (a && b) out = matmul_output_shape(c, *a, *b);
  c.set(0, out ? ValueType::tensor(dt, std::move(*out)) : ValueType::tensor(dt));
}

void gemm(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* a = c.shape(0);
  const Shape* b = c.shape(1);
  if (!a || !b) {
    c.set(0, dt, Shape(std::vector<Dim>(2)));
    return;
  }
  if (auto out = gemm_output_shape(c, *a, *b)) c.set(0, dt, std::move(*out));
}

// One operand of an einsum equation: its letters, with '.' standing for the ellipsis.
struct EinsumTerm {
  std::string letters;
  bool ellipsis = false;
};

bool parse_term(std::string_view s, EinsumTerm& t) {
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '.') {
      if (t.ellipsis || s.substr(i, 3) != "...") return false;
      t.ellipsis = true;
      t.letters += '.';
      i += 2;
    } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
      t.letters += ch;
    } else {
      return false;
    }
  }
  return true;
}

void einsum(InferContext& c) {
  DataType dt = c.dtype(0);
  std::string eq;
  for (char ch : c.node().attr_string("equation", "")) {
    if (ch != ' ') eq += ch;
  }
  std::string lhs = eq, rhs;
  bool explicit_out = false;
  if (auto arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
    explicit_out = true;
  }
  std::vector<EinsumTerm> terms;
  size_t start = 0;
  for (;;) {
    size_t comma = lhs.find(',', start);
    EinsumTerm t;
    if (!parse_term(std::string_view(lhs).substr(start, comma - start), t)) {
      c.warn("cannot parse equation '" + eq + "'");
      c.set_dtype(0, dt);
      return;
    }
    terms.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != c.num_inputs()) {
    c.warn("equation has " + std::to_string(terms.size()) + " operands for " +
           std::to_string(c.num_inputs()) + " inputs");
    c.set_dtype(0, dt);
    return;
  }
  std::array<std::optional<Dim>, 128> letter_dim{};
  std::array<int, 128> count{};
  Shape ellipsis;
  bool shapes_known = true, conflict = false;
  for (size_t i = 0; i < terms.size(); ++i) {
    const EinsumTerm& t = terms[i];
    for (char ch : t.letters)
      if (ch != '.') ++count[static_cast<unsigned char>(ch)];
    const Shape* s = c.shape(i);
    if (!s) {
      shapes_known = false;
      continue;
    }
    size_t named = t.letters.size() - (t.ellipsis ? 1 : 0);
    if (s->rank() < named || (!t.ellipsis && s->rank() != named)) {
      c.warn("operand " + std::to_string(i) + " has rank " + std::to_string(s->rank()) +
             " for term '" + t.letters + "'");
      c.set_dtype(0, dt);
      return;
    }
    size_t ell_rank = s->rank() - named, d = 0;
    for (char ch : t.letters) {
      if (ch == '.') {
        Shape part(std::vector<Dim>(s->dims.begin() + static_cast<long>(d),
                                    s->dims.begin() + static_cast<long>(d + ell_rank)));
        ellipsis = broadcast_shapes(ellipsis, part, &conflict);
        d += ell_rank;
        continue;
      }
      auto& slot = letter_dim[static_cast<unsigned char>(ch)];
      slot = slot ? broadcast_dim(*slot, s->dims[d], &conflict) : s->dims[d];
      ++d;
    }
  }
  if (conflict) c.warn("operand dims disagree");
  if (!explicit_out) {
    // Implicit output: the ellipsis, then letters used once, in alphabetical order.
    rhs = "...";
    for (int ch = 0; ch < 128; ++ch)
      if (count[static_cast<size_t>(ch)] == 1) rhs += static_cast<char>(ch);
  }
  EinsumTerm out_term;
  if (!parse_term(rhs, out_term)) {
    c.warn("cannot parse equation '" + eq + "'");
    c.set_dtype(0, dt);
    return;
  }
  if (!shapes_known) {
    if (!out_term.ellipsis) c.set(0, dt, Shape(std::vector<Dim>(out_term.letters.size())));
    else c.set_dtype(0, dt);
    return;
  }
  Shape out;
  for (char ch : out_term.letters) {
    if (ch == '.') {
      out.dims.insert(out.dims.end(), ellipsis.dims.begin(), ellipsis.dims.end());
      continue;
    }
    const auto& slot = letter_dim[static_cast<unsigned char>(ch)];
    if (!slot) {
      c.warn(std::string("output letter '") + ch + "' is not in any operand");
      c.set_dtype(0, dt);
      return;
    }
    out.dims.push_back(*slot);
  }
  c.set(0, dt, std::move(out));
}

void det(InferContext& c) {
  DataType dt = c.dtype(0);
  const Shape* in = c.shape(0);
  if (!in || in->rank() < 2) {
    c.set_dtype(0, dt);
    return;
  }
  c.set(0, dt, Shape(std::vector<Dim>(in->dims.begin(), in->dims.end() - 2)));
}

}  // namespace

void add_linalg_rules(RuleTable& t) {
  t.add("MatMul", 1, matmul);
  t.add("MatMulInteger", 10, matmul);
  t.add("Gemm", 1, gemm);
  t.add("Einsum", 12, einsum);
  t.add("Det", 11, det);
}

}  // namespace kiln::analysis
