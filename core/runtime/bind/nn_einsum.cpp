// Einsum binding: parses the equation (explicit or implicit output, repeated labels, ellipsis)
// into per-label strides for the generic contraction loop.
#include <algorithm>
#include <map>

#include "core/runtime/bind/nn_common.h"
#include "kernels/cpu/ref/gemm.h"

namespace kiln::nn {

namespace {

// One operand's term: letters, with -1 standing for the ellipsis.
using Term = std::vector<int>;

Term parse_term(const std::string& s, const std::string& label) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (s.compare(i, 3, "...") != 0 || std::count(t.begin(), t.end(), -1)) fail(label, ": bad ellipsis in equation");
      t.push_back(-1);
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t.push_back(c);
    } else {
      fail(label, ": unexpected character '", std::string(1, c), "' in equation");
    }
  }
  return t;
}

void run_einsum(const std::string& label, const std::vector<Term>& terms, bool explicit_out, const Term& out_term,
                KernelContext& ctx) {
  const size_t n = terms.size();
  if (ctx.input_count() != n)
    fail(label, ": equation names ", std::to_string(n), " operands, got ", std::to_string(ctx.input_count()));
  std::vector<const RtTensor*> xs;
  for (size_t k = 0; k < n; ++k) {
    xs.push_back(&need_input(ctx, k, label));
    if (xs[k]->dtype() != xs[0]->dtype()) fail(label, ": operands have different element types");
  }
  // Ellipsis dims of each operand, right-aligned across operands.
  std::vector<int64_t> ell_rank(n, 0);
  int64_t max_ell = 0;
  for (size_t k = 0; k < n; ++k) {
    const int64_t letters = static_cast<int64_t>(terms[k].size()) - std::count(terms[k].begin(), terms[k].end(), -1);
    const bool has_ell = std::count(terms[k].begin(), terms[k].end(), -1) > 0;
    const int64_t r = static_cast<int64_t>(xs[k]->rank());
    if ((!has_ell && r != letters) || (has_ell && r < letters))
      fail(label, ": operand ", std::to_string(k), " ", shape_str(xs[k]->shape()), " does not match its term");
    ell_rank[k] = has_ell ? r - letters : 0;
    max_ell = std::max(max_ell, ell_rank[k]);
  }
  // Label ids: ellipsis dims first, then letters in first-seen order.
  std::map<int, size_t> letter_id;
  std::vector<int64_t> extents(static_cast<size_t>(max_ell), 1);
  std::map<int, int> letter_count;
  for (const Term& t : terms)
    for (int c : t)
      if (c != -1) {
        if (!letter_id.count(c)) letter_id[c] = extents.size(), extents.push_back(1);
        ++letter_count[c];
      }
  EinsumParams p;
  p.input_strides.assign(n, std::vector<int64_t>(extents.size(), 0));
  // Per operand: label id of each dim.
  for (size_t k = 0; k < n; ++k) {
    std::vector<size_t> dim_label;
    for (int c : terms[k]) {
      if (c == -1)
        for (int64_t e = 0; e < ell_rank[k]; ++e) dim_label.push_back(static_cast<size_t>(max_ell - ell_rank[k] + e));
      else
        dim_label.push_back(letter_id[c]);
    }
    int64_t stride = 1;
    for (size_t d = dim_label.size(); d-- > 0;) {
      const int64_t size = xs[k]->dim(d);
      const size_t l = dim_label[d];
      if (size != 1) {
        if (extents[l] != 1 && extents[l] != size)
          fail(label, ": dimension ", std::to_string(size), " of operand ", std::to_string(k), " conflicts with ",
               std::to_string(extents[l]));
        extents[l] = size;
        p.input_strides[k][l] += stride;
      }
      stride *= size;
    }
  }
  // Output labels: explicit, or the ellipsis then the letters seen once, alphabetically.
  std::vector<size_t> out_labels;
  auto add_ellipsis = [&] {
    for (int64_t e = 0; e < max_ell; ++e) out_labels.push_back(static_cast<size_t>(e));
  };
  if (explicit_out) {
    for (int c : out_term) {
      if (c == -1) {
        add_ellipsis();
      } else {
        if (!letter_id.count(c)) fail(label, ": output label '", std::string(1, static_cast<char>(c)), "' is not an input label");
        out_labels.push_back(letter_id[c]);
      }
    }
  } else {
    add_ellipsis();
    std::vector<int> once;
    for (auto& [c, count] : letter_count)
      if (count == 1) once.push_back(c);
    std::sort(once.begin(), once.end());
    for (int c : once) out_labels.push_back(letter_id[c]);
  }
  std::vector<int64_t> yshape;
  for (size_t l : out_labels) yshape.push_back(extents[l]);
  p.extents = extents;
  p.output_strides.assign(extents.size(), 0);
  int64_t stride = 1;
  for (size_t d = out_labels.size(); d-- > 0;) {
    p.output_strides[out_labels[d]] = stride;
    stride *= yshape[d];
  }
  p.output_numel = stride;
  RtTensor& y = ctx.output(0, xs[0]->dtype(), yshape);
  dispatch_float(xs[0]->dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    std::vector<const T*> ptrs;
    for (const RtTensor* x : xs) ptrs.push_back(x->data<T>());
    einsum_ref<T>(p, ptrs, y.data<T>());
  });
}

std::unique_ptr<OpKernel> make_einsum(const KernelInit& init) {
  const std::string label = node_label(init.node);
  std::string eq;
  for (char c : init.node.attr_string("equation", "")) if (c != ' ') eq += c;
  if (eq.empty()) fail(label, ": equation is required");
  const size_t arrow = eq.find("->");
  const bool explicit_out = arrow != std::string::npos;
  const std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(parse_term(lhs.substr(start, comma - start), label));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const Term out = explicit_out ? parse_term(eq.substr(arrow + 2), label) : Term();
  return make_kernel([=](KernelContext& ctx) { run_einsum(label, terms, explicit_out, out, ctx); });
}

}  // namespace

void register_nn_einsum_kernels(KernelRegistry& r) {
  r.add(KernelDef{"", "Einsum", 12, 1000, Backend::Ref, bind::half_storage(make_einsum)});
}

}  // namespace kiln::nn
