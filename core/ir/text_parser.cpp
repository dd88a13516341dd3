// The reading half of the text form (grammar by example in text_printer.cpp). Newlines carry no
// meaning, so a statement may span lines; a graph's `doc` and `metadata` come before its other
// statements, and after a node the same words belong to that node. A node may read a value defined
// further down its graph (names are resolved when the graph's closing brace is reached), so a graph
// in any order, even one that fails verify(), reads back as printed.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

#include "core/ir/text_format.h"
#include "core/ir/text_syntax.h"
#include "core/util/error.h"

namespace kiln {

namespace {

enum class Tok { End, Word, Value, String, Number, Punct };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // a word, a value name (without '%'), a decoded string, a number, a punctuator
  int line = 0;
};

template <class... Args>
[[noreturn]] void error_at(int line, const Args&... parts) {
  fail("line ", std::to_string(line), ": ", parts...);
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::End: return "end of input";
    case Tok::Value: return "'" + text::value_ref(t.text) + "'";
    case Tok::String: return "string " + text::quote(t.text);
    default: return "'" + t.text + "'";
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  size_t i = 0;
  auto read_string = [&](size_t& pos) {
    // s[pos] is the opening quote.
    int start_line = line;
    std::string v;
    ++pos;
    while (true) {
      if (pos >= s.size() || s[pos] == '\n') error_at(start_line, "unterminated string");
      char c = s[pos++];
      if (c == '"') break;
      if (c != '\\') {
        v += c;
        continue;
      }
      if (pos >= s.size()) error_at(start_line, "unterminated string");
      char e = s[pos++];
      switch (e) {
        case '"': v += '"'; break;
        case '\\': v += '\\'; break;
        case 'n': v += '\n'; break;
        case 't': v += '\t'; break;
        case 'r': v += '\r'; break;
        case 'x': {
          int hi = pos < s.size() ? hex_digit(s[pos]) : -1;
          int lo = pos + 1 < s.size() ? hex_digit(s[pos + 1]) : -1;
          if (hi < 0 || lo < 0) error_at(line, "bad \\x escape in string (needs two hex digits)");
          v += static_cast<char>(hi * 16 + lo);
          pos += 2;
          break;
        }
        default: error_at(line, "unknown escape '\\", std::string(1, e), "' in string");
      }
    }
    return v;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {  // comment to end of line
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    Token t;
    t.line = line;
    if (c == '"') {
      t.kind = Tok::String;
      t.text = read_string(i);
    } else if (c == '%') {
      t.kind = Tok::Value;
      ++i;
      if (i < s.size() && s[i] == '"') {
        t.text = read_string(i);
        if (t.text.empty()) error_at(line, "empty value name");
      } else {
        size_t b = i;
        while (i < s.size() && text::is_word_char(s[i])) ++i;
        if (i == b) error_at(line, "expected a value name after '%'");
        t.text = std::string(s.substr(b, i - b));
      }
    } else if (text::is_word_start(c)) {
      t.kind = Tok::Word;
      size_t b = i;
      while (i < s.size() && text::is_word_char(s[i])) ++i;
      t.text = std::string(s.substr(b, i - b));
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '>') {
      t.kind = Tok::Punct;
      t.text = "->";
      i += 2;
    } else if (c == '<' && i + 1 < s.size() && s[i + 1] == '-') {
      t.kind = Tok::Punct;
      t.text = "<-";
      i += 2;
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      t.kind = Tok::Punct;
      t.text = "::";
      i += 2;
    } else if (is_digit(c) || (c == '-' && i + 1 < s.size() && (is_digit(s[i + 1]) || s[i + 1] == '.' ||
                                                                  s[i + 1] == 'i' || s[i + 1] == 'n'))) {
      t.kind = Tok::Number;
      size_t b = i++;
      while (i < s.size()) {
        char d = s[i];
        bool exp_sign = (d == '+' || d == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E') &&
                        s.substr(b, 2) != "0x" && s.substr(b, 3) != "-0x";
        if (!is_alnum(d) && d != '.' && !exp_sign) break;
        ++i;
      }
      t.text = std::string(s.substr(b, i - b));
    } else if (std::string_view("(){}[],=:?*@#").find(c) != std::string_view::npos) {
      t.kind = Tok::Punct;
      t.text = std::string(1, c);
      ++i;
    } else {
      error_at(line, "unexpected character '", std::string(1, c), "'");
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.line = line;
  out.push_back(end);
  return out;
}

bool looks_float(const Token& t) {
  if (t.kind == Tok::Word) return t.text == "inf" || t.text == "nan";
  if (t.kind != Tok::Number) return false;
  if (t.text.find("0x") != std::string::npos) return false;
  return t.text.find_first_of(".eEin") != std::string::npos;
}

uint16_t float_to_bf16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

struct PendingOutput {
  std::string name;
  ValueType type;
  int line = 0;
};

struct Fixup {
  Node* node = nullptr;
  size_t index = 0;
  std::string name;
  int line = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : toks_(lex(text)) {}

  Model model() {
    Model m;
    expect_word("model", "at the start of a model");
    while (peek().kind == Tok::Word && peek(1).kind == Tok::Punct && peek(1).text == "=") {
      Token key = next();
      next();
      if (key.text == "ir_version") m.ir_version = integer("ir_version");
      else if (key.text == "model_version") m.model_version = integer("model_version");
      else if (key.text == "producer_name") m.producer_name = string("producer_name");
      else if (key.text == "producer_version") m.producer_version = string("producer_version");
      else if (key.text == "domain") m.domain = string("domain");
      else error_at(key.line, "unknown model field '", key.text, "'");
    }
    while (true) {
      const Token& t = peek();
      if (t.kind != Tok::Word) error_at(t.line, "expected 'graph', 'opset', 'metadata', 'doc' or 'function', found ", describe(t));
      if (t.text == "graph") break;
      next();
      if (t.text == "doc") {
        m.doc_string = string("doc");
      } else if (t.text == "metadata") {
        std::string k = string("metadata key");
        expect_punct("=", "after the metadata key");
        m.metadata_props.emplace_back(std::move(k), string("metadata value"));
      } else if (t.text == "opset") {
        std::string d = string("opset domain");
        m.opsets.push_back({std::move(d), integer("opset version")});
      } else if (t.text == "function") {
        m.functions.push_back(blob("function"));
      } else if (t.text == "training_info") {
        m.training_info.push_back(blob("training_info"));
      } else {
        error_at(t.line, "unknown model statement '", t.text, "'");
      }
    }
    graph(*m.graph);
    if (peek().kind != Tok::End) error_at(peek().line, "expected end of input after the graph, found ", describe(peek()));
    return m;
  }

 private:
  // ---------------------------------------------------------------- tokens
  const Token& peek(size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool at_punct(std::string_view p, size_t k = 0) const {
    return peek(k).kind == Tok::Punct && peek(k).text == p;
  }
  bool at_word(std::string_view w, size_t k = 0) const { return peek(k).kind == Tok::Word && peek(k).text == w; }
  bool accept_punct(std::string_view p) {
    if (!at_punct(p)) return false;
    next();
    return true;
  }
  void expect_punct(std::string_view p, std::string_view where) {
    if (!at_punct(p)) error_at(peek().line, "expected '", p, "' ", where, ", found ", describe(peek()));
    next();
  }
  void expect_word(std::string_view w, std::string_view where) {
    if (!at_word(w)) error_at(peek().line, "expected '", w, "' ", where, ", found ", describe(peek()));
    next();
  }
  std::string string(std::string_view what) {
    if (peek().kind != Tok::String) error_at(peek().line, "expected a quoted string for ", what, ", found ", describe(peek()));
    return next().text;
  }
  // A name that may be a bare word or a quoted string (op types, domains, attribute names).
  std::string word_or_string(std::string_view what) {
    if (peek().kind != Tok::Word && peek().kind != Tok::String)
      error_at(peek().line, "expected ", what, ", found ", describe(peek()));
    return next().text;
  }
  std::string value_name(std::string_view what) {
    if (peek().kind != Tok::Value) error_at(peek().line, "expected a %value for ", what, ", found ", describe(peek()));
    return next().text;
  }
  int64_t integer(std::string_view what) {
    const Token& t = peek();
    int64_t v = 0;
    if (t.kind != Tok::Number || !parse_int(t.text, v))
      error_at(t.line, "expected an integer for ", what, ", found ", describe(t));
    next();
    return v;
  }

  static bool parse_int(const std::string& s, int64_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }

  // ---------------------------------------------------------------- types
  ValueType type() {
    if (accept_punct("?")) return ValueType{};
    if (at_word("opaque")) {
      next();
      ValueType vt;
      vt.kind = ValueType::Kind::Other;
      vt.other = blob("an opaque type");
      return vt;
    }
    DataType dt = dtype();
    ValueType vt = ValueType::tensor(dt);
    expect_punct("[", "after the element type");
    if (accept_punct("*")) {
      expect_punct("]", "after '*'");
      return vt;
    }
    Shape shape;
    if (!accept_punct("]")) {
      while (true) {
        const Token& d = peek();
        if (d.kind == Tok::Number) {
          int64_t v = 0;
          if (!parse_int(d.text, v) || v < 0) error_at(d.line, "bad dimension ", describe(d));
          shape.dims.push_back(Dim::known(v));
        } else if (d.kind == Tok::Word || d.kind == Tok::String) {
          shape.dims.push_back(Dim::symbolic(d.text));
          if (d.text.empty()) error_at(d.line, "empty dimension name");
        } else if (!(d.kind == Tok::Punct && d.text == "?")) {
          error_at(d.line, "expected a dimension (number, name or '?'), found ", describe(d));
        } else {
          shape.dims.push_back(Dim::unknown());
        }
        next();
        if (accept_punct("]")) break;
        expect_punct(",", "between dimensions");
      }
    }
    vt.shape = std::move(shape);
    return vt;
  }

  DataType dtype() {
    const Token& t = peek();
    if (t.kind != Tok::Word) error_at(t.line, "expected an element type (f32, i64, ...), found ", describe(t));
    auto dt = dtype_from_short_name(t.text);
    if (!dt) error_at(t.line, "unknown element type '", t.text, "'");
    next();
    return *dt;
  }

  // dtype[d0,d1,...] with known dims only (tensors).
  std::pair<DataType, std::vector<int64_t>> tensor_type() {
    DataType dt = dtype();
    std::vector<int64_t> dims;
    expect_punct("[", "after the element type");
    if (!accept_punct("]")) {
      while (true) {
        const Token& d = peek();
        int64_t v = 0;
        if (d.kind != Tok::Number || !parse_int(d.text, v) || v < 0)
          error_at(d.line, "expected a tensor dimension (a number >= 0), found ", describe(d));
        next();
        dims.push_back(v);
        if (accept_punct("]")) break;
        expect_punct(",", "between dimensions");
      }
    }
    return {dt, std::move(dims)};
  }

  // ---------------------------------------------------------------- tensors and blobs
  [[noreturn]] void summarised(const std::string& what) {
    int line = peek().line;
    std::string summary;
    while (peek().kind != Tok::End && !at_punct("}")) {
      const Token& t = next();
      if (!summary.empty() && t.text != ",") summary += " ";
      summary += t.text;
    }
    error_at(line, what, " is summarised {", summary,
             "}; only values printed in full can be parsed (print with a larger max_inline_elements)");
  }

  std::string blob(const std::string& what) {
    if (at_punct("{")) {
      next();
      summarised(what);
    }
    expect_word("hex", std::string("for ") + what);
    int line = peek().line;
    std::string hex = string(what);
    if (hex.size() % 2) error_at(line, what, ": odd number of hex digits");
    std::string bytes;
    for (size_t i = 0; i < hex.size(); i += 2) {
      int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
      if (hi < 0 || lo < 0) error_at(line, what, ": bad hex digit");
      bytes += static_cast<char>(hi * 16 + lo);
    }
    return bytes;
  }

  std::shared_ptr<const Tensor> tensor_data(std::string name, DataType dt, std::vector<int64_t> dims,
                                            const std::string& what) {
    if (at_punct("{")) {
      next();
      summarised(what);
    }
    int line = peek().line;
    expect_punct("[", std::string("before the values of ") + what);
    std::vector<Token> elems;
    if (!accept_punct("]")) {
      while (true) {
        const Token& e = peek();
        if (e.kind != Tok::Number && e.kind != Tok::Word && e.kind != Tok::String)
          error_at(e.line, "expected a tensor element, found ", describe(e));
        elems.push_back(next());
        if (accept_punct("]")) break;
        expect_punct(",", "between tensor elements");
      }
    }
    auto t = std::make_shared<Tensor>();
    t->name = std::move(name);
    t->dtype = dt;
    t->dims = std::move(dims);
    int64_t n = t->numel();
    if (n < 0) error_at(line, what, " has a bad shape");
    bool complex = dt == DataType::Complex64 || dt == DataType::Complex128;
    size_t expected = static_cast<size_t>(n) * (complex ? 2 : 1);
    if (elems.size() != expected)
      error_at(line, what, " has ", std::to_string(elems.size()), " values but its shape holds ",
               std::to_string(expected));
    if (dt == DataType::String) {
      for (const Token& e : elems) {
        if (e.kind != Tok::String) error_at(e.line, "expected a string element, found ", describe(e));
        t->strings.push_back(e.text);
      }
      t->data = Buffer::adopt(std::vector<uint8_t>{});
      return t;
    }
    int64_t nbytes = dtype_storage_bytes(dt, n);
    if (nbytes < 0) error_at(line, what, ": element type ", dtype_name(dt), " cannot be written out");
    std::vector<uint8_t> bytes(static_cast<size_t>(nbytes), 0);
    auto store = [&](size_t i, auto v) { std::memcpy(bytes.data() + i * sizeof(v), &v, sizeof(v)); };
    for (size_t i = 0; i < elems.size(); ++i) {
      const Token& e = elems[i];
      switch (dt) {
        case DataType::Float32: case DataType::Complex64: store(i, parse_float(e)); break;
        case DataType::Float64: case DataType::Complex128: store(i, parse_double(e)); break;
        case DataType::Float16: store(i, float_to_half(parse_float(e))); break;
        case DataType::BFloat16: store(i, float_to_bf16(parse_float(e))); break;
        case DataType::Bool:
          if (e.kind != Tok::Word || (e.text != "true" && e.text != "false"))
            error_at(e.line, "expected true or false, found ", describe(e));
          bytes[i] = e.text == "true" ? 1 : 0;
          break;
        case DataType::Int8: store(i, static_cast<int8_t>(parse_ranged(e, -128, 127))); break;
        case DataType::UInt8: store(i, static_cast<uint8_t>(parse_ranged(e, 0, 255))); break;
        case DataType::Int16: store(i, static_cast<int16_t>(parse_ranged(e, -32768, 32767))); break;
        case DataType::UInt16: store(i, static_cast<uint16_t>(parse_ranged(e, 0, 65535))); break;
        case DataType::Int32:
          store(i, static_cast<int32_t>(parse_ranged(e, std::numeric_limits<int32_t>::min(),
                                                     std::numeric_limits<int32_t>::max())));
          break;
        case DataType::UInt32: store(i, static_cast<uint32_t>(parse_ranged(e, 0, std::numeric_limits<uint32_t>::max()))); break;
        case DataType::Int64:
          store(i, parse_ranged(e, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
          break;
        case DataType::UInt64: store(i, parse_u64(e)); break;
        case DataType::Int4: case DataType::UInt4: case DataType::Float4E2M1: {
          int64_t v = dt == DataType::Int4 ? parse_ranged(e, -8, 7)
                      : dt == DataType::UInt4 ? parse_ranged(e, 0, 15) : parse_code(e, 15);
          bytes[i / 2] = static_cast<uint8_t>(bytes[i / 2] | ((static_cast<uint8_t>(v) & 0xf) << ((i % 2) * 4)));
          break;
        }
        case DataType::Float8E4M3FN: case DataType::Float8E4M3FNUZ: case DataType::Float8E5M2:
        case DataType::Float8E5M2FNUZ:
          bytes[i] = static_cast<uint8_t>(parse_code(e, 255));
          break;
        default: error_at(e.line, what, ": element type ", dtype_name(dt), " cannot be written out");
      }
    }
    t->data = Buffer::adopt(std::move(bytes));
    return t;
  }

  template <class F>
  static F parse_floating(const Token& e) {
    std::string_view s = e.text;
    bool neg = !s.empty() && s[0] == '-';
    std::string_view body = neg ? s.substr(1) : s;
    if (e.kind == Tok::Word || (e.kind == Tok::Number && (body == "inf" || body == "nan"))) {
      F v;
      if (body == "inf") v = std::numeric_limits<F>::infinity();
      else if (body == "nan") v = std::numeric_limits<F>::quiet_NaN();
      else error_at(e.line, "expected a number, found ", describe(e));
      return neg ? -v : v;
    }
    F v{};
    auto r = e.kind == Tok::Number ? std::from_chars(s.data(), s.data() + s.size(), v)
                                   : std::from_chars_result{s.data(), std::errc::invalid_argument};
    if (r.ec == std::errc::result_out_of_range) error_at(e.line, "number ", e.text, " is out of range");
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) error_at(e.line, "expected a number, found ", describe(e));
    return v;
  }
  static float parse_float(const Token& e) { return parse_floating<float>(e); }
  static double parse_double(const Token& e) { return parse_floating<double>(e); }

  static int64_t parse_ranged(const Token& e, int64_t lo, int64_t hi) {
    int64_t v = 0;
    if (e.kind != Tok::Number || !parse_int(e.text, v)) error_at(e.line, "expected an integer, found ", describe(e));
    if (v < lo || v > hi)
      error_at(e.line, "value ", e.text, " is out of range [", std::to_string(lo), ", ", std::to_string(hi), "]");
    return v;
  }
  static uint64_t parse_u64(const Token& e) {
    uint64_t v = 0;
    auto r = std::from_chars(e.text.data(), e.text.data() + e.text.size(), v);
    if (e.kind != Tok::Number || r.ec != std::errc() || r.ptr != e.text.data() + e.text.size())
      error_at(e.line, "expected an unsigned integer, found ", describe(e));
    return v;
  }
  // Bit codes of 8- and 4-bit floats, written 0xNN.
  static int64_t parse_code(const Token& e, int64_t max) {
    uint64_t v = 0;
    const std::string& s = e.text;
    bool ok = e.kind == Tok::Number && s.size() > 2 && s[0] == '0' && s[1] == 'x';
    if (ok) {
      auto r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
      ok = r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    if (!ok) error_at(e.line, "expected a bit code 0x.., found ", describe(e));
    if (v > static_cast<uint64_t>(max)) error_at(e.line, "bit code ", s, " is too large");
    return static_cast<int64_t>(v);
  }

  std::shared_ptr<const Tensor> tensor_literal(const std::string& attr_name) {
    expect_word("tensor", "to start a tensor");
    std::string name;
    if (peek().kind == Tok::String) name = next().text;
    auto [dt, dims] = tensor_type();
    return tensor_data(std::move(name), dt, std::move(dims), "the tensor of attribute '" + attr_name + "'");
  }

  // ---------------------------------------------------------------- attributes
  Attribute attribute() {
    std::string name = word_or_string("an attribute name");
    expect_punct("=", "after attribute name '" + name + "'");
    return attr_value(name);
  }

  static std::optional<AttrKind> kind_from_name(std::string_view s) {
    for (int k = 0; k <= static_cast<int>(AttrKind::TypeProtos); ++k)
      if (attr_kind_name(static_cast<AttrKind>(k)) == s) return static_cast<AttrKind>(k);
    return std::nullopt;
  }

  Attribute attr_value(const std::string& name) {
    const Token t = peek();
    if (t.kind == Tok::Number || (t.kind == Tok::Word && (t.text == "inf" || t.text == "nan"))) {
      next();
      if (looks_float(t)) return Attribute::make_float(name, parse_float(t));
      int64_t v = 0;
      if (!parse_int(t.text, v)) error_at(t.line, "bad number ", t.text, " for attribute '", name, "'");
      return Attribute::make_int(name, v);
    }
    if (t.kind == Tok::String) return Attribute::make_string(name, next().text);
    if (at_punct("[")) return untyped_list(name);
    if (t.kind != Tok::Word) error_at(t.line, "expected a value for attribute '", name, "', found ", describe(t));
    if (t.text == "tensor") return Attribute::make_tensor(name, tensor_literal(name));
    if (t.text == "graph") return Attribute::make_graph(name, subgraph());
    if (t.text == "undefined") {
      next();
      return Attribute(name, AttrKind::Undefined);
    }
    if (t.text == "ref") {
      next();
      expect_punct("(", "after 'ref'");
      const Token& k = peek();
      auto kind = kind_from_name(k.text);
      if (k.kind != Tok::Word || !kind) error_at(k.line, "expected an attribute kind, found ", describe(k));
      next();
      expect_punct(",", "in ref(kind, name)");
      Attribute a(name, *kind);
      a.ref_attr_name = string("the referenced attribute");
      expect_punct(")", "after ref(kind, name)");
      return a;
    }
    if (t.text == "sparse_tensor" || t.text == "type_proto") {
      next();
      Attribute a(name, t.text == "sparse_tensor" ? AttrKind::SparseTensor : AttrKind::TypeProto);
      a.opaque.push_back(blob("attribute '" + name + "'"));
      return a;
    }
    auto kind = kind_from_name(t.text);
    if (kind && at_punct("[", 1)) {
      next();
      return typed_list(name, *kind);
    }
    error_at(t.line, "unknown attribute value ", describe(t), " for attribute '", name, "'");
  }

  Attribute untyped_list(const std::string& name) {
    const Token& first = peek(1);
    if (first.kind == Tok::Punct && first.text == "]")
      error_at(first.line, "empty list for attribute '", name,
               "' needs its kind: ints[], floats[], strings[], tensors[] or graphs[]");
    if (first.kind == Tok::String) return typed_list(name, AttrKind::Strings);
    if (first.kind == Tok::Word && first.text == "tensor") return typed_list(name, AttrKind::Tensors);
    if (first.kind == Tok::Word && first.text == "graph") return typed_list(name, AttrKind::Graphs);
    // Numbers: floats if any element reads as a float.
    bool any_float = false;
    for (size_t k = 1; peek(k).kind != Tok::End && !at_punct("]", k); ++k) any_float = any_float || looks_float(peek(k));
    return typed_list(name, any_float ? AttrKind::Floats : AttrKind::Ints);
  }

  Attribute typed_list(const std::string& name, AttrKind kind) {
    Attribute a(name, kind);
    expect_punct("[", "to open the list");
    if (accept_punct("]")) return a;
    while (true) {
      const Token& e = peek();
      switch (kind) {
        case AttrKind::Ints: {
          int64_t v = 0;
          if (e.kind != Tok::Number || !parse_int(e.text, v))
            error_at(e.line, "expected an integer in ints attribute '", name, "', found ", describe(e));
          next();
          a.ints.push_back(v);
          break;
        }
        case AttrKind::Floats: a.floats.push_back(parse_float(e)); next(); break;
        case AttrKind::Strings: a.strings.push_back(string("a strings attribute element")); break;
        case AttrKind::Tensors: a.tensors.push_back(tensor_literal(name)); break;
        case AttrKind::Graphs: a.graphs.push_back(subgraph()); break;
        case AttrKind::SparseTensors:
        case AttrKind::TypeProtos: a.opaque.push_back(blob("attribute '" + name + "'")); break;
        default: error_at(e.line, "attribute kind ", attr_kind_name(kind), " is not a list");
      }
      if (accept_punct("]")) break;
      expect_punct(",", "between list elements");
    }
    return a;
  }

  std::unique_ptr<Graph> subgraph() {
    auto g = scopes_.back()->new_subgraph();
    graph(*g);
    return g;
  }

  // ---------------------------------------------------------------- graphs
  void check_new_name(const Graph& g, const std::string& name, int line) {
    if (g.find_value(name)) error_at(line, "duplicate value name ", text::value_ref(name));
  }

  void graph(Graph& g) {
    scopes_.push_back(&g);
    std::vector<Fixup> fixups;
    expect_word("graph", "to start a graph");
    g.name = string("the graph name");
    expect_punct("(", "to open the graph inputs");
    if (!accept_punct(")")) {
      while (true) {
        int line = peek().line;
        std::string name = value_name("a graph input");
        expect_punct(":", "after graph input " + text::value_ref(name));
        ValueType vt = type();
        check_new_name(g, name, line);
        g.add_input(name, std::move(vt));
        if (accept_punct(")")) break;
        expect_punct(",", "between graph inputs");
      }
    }
    expect_punct("->", "after the graph inputs");
    expect_punct("(", "to open the graph outputs");
    std::vector<PendingOutput> outputs;
    if (!accept_punct(")")) {
      while (true) {
        PendingOutput o;
        o.line = peek().line;
        o.name = value_name("a graph output");
        expect_punct(":", "after graph output " + text::value_ref(o.name));
        o.type = type();
        outputs.push_back(std::move(o));
        if (accept_punct(")")) break;
        expect_punct(",", "between graph outputs");
      }
    }
    expect_punct("{", "to open the graph body");
    bool header = true;
    while (!at_punct("}")) {
      const Token& t = peek();
      if (t.kind == Tok::End) error_at(t.line, "graph \"", g.name, "\" is not closed (missing '}')");
      if (header && at_word("doc")) {
        next();
        g.doc_string = string("doc");
        continue;
      }
      if (header && at_word("metadata")) {
        next();
        std::string k = string("metadata key");
        expect_punct("=", "after the metadata key");
        g.metadata_props.emplace_back(std::move(k), string("metadata value"));
        continue;
      }
      header = false;
      if (at_word("capture")) {
        next();
        int line = peek().line;
        std::string name = value_name("a capture");
        check_new_name(g, name, line);
        Value* v = g.add_capture(name);
        if (accept_punct(":")) {
          v->type = type();
          v->has_value_info = v->type.is_known();
        }
      } else if (at_word("init")) {
        next();
        int line = peek().line;
        std::string name = value_name("an initializer");
        expect_punct(":", "after initializer " + text::value_ref(name));
        auto [dt, dims] = tensor_type();
        expect_punct("=", "before the initializer's values");
        auto tensor = tensor_data(name, dt, std::move(dims), "tensor " + text::value_ref(name));
        Value* existing = g.find_value(name);
        if (existing && (!existing->is_graph_input() || existing->is_initializer()))
          error_at(line, "duplicate value name ", text::value_ref(name));
        g.add_initializer(tensor);
      } else if (t.kind == Tok::Value || at_word("_") || at_punct("(")) {
        node(g, fixups);
      } else {
        error_at(t.line, "expected a node, 'init', 'capture' or '}', found ", describe(t));
      }
    }
    next();  // '}'
    for (const Fixup& f : fixups) {
      Value* v = g.find_value(f.name);
      if (!v) error_at(f.line, "undefined value ", text::value_ref(f.name));
      f.node->set_input(f.index, v);
    }
    for (PendingOutput& o : outputs) {
      Value* v = g.find_value(o.name);
      if (!v) error_at(o.line, "graph output ", text::value_ref(o.name), " is never defined");
      if (o.type.is_known()) {
        if (v->type.is_known() && !(v->type == o.type))
          error_at(o.line, "graph output ", text::value_ref(o.name), " is declared with two different types");
        v->type = std::move(o.type);
        v->has_value_info = true;
      }
      g.add_output(v);
    }
    scopes_.pop_back();
  }

  void node(Graph& g, std::vector<Fixup>& fixups) {
    int line = peek().line;
    struct Out {
      std::string name;
      ValueType type;
      int line = 0;
    };
    std::vector<Out> outs;
    std::set<std::string> seen;
    if (accept_punct("(")) {
      expect_punct(")", "for a node without outputs");
    } else {
      while (true) {
        Out o;
        o.line = peek().line;
        if (at_word("_")) {
          next();
        } else {
          o.name = value_name("a node output");
          check_new_name(g, o.name, o.line);
          if (!seen.insert(o.name).second) error_at(o.line, "duplicate value name ", text::value_ref(o.name));
          if (accept_punct(":")) o.type = type();
        }
        outs.push_back(std::move(o));
        if (!accept_punct(",")) break;
      }
    }
    expect_punct("=", "after the node outputs");
    std::string op = word_or_string("an op type");
    std::string domain;
    if (accept_punct("::")) {
      domain = std::move(op);
      op = word_or_string("an op type after '::'");
    }
    expect_punct("(", "after op type " + op);
    std::vector<Value*> inputs;
    std::vector<Fixup> pending;
    if (!accept_punct(")")) {
      while (true) {
        const Token& t = peek();
        if (at_word("_")) {
          inputs.push_back(nullptr);
        } else if (t.kind == Tok::Value) {
          Value* v = g.find_value(t.text);
          if (!v) pending.push_back(Fixup{nullptr, inputs.size(), t.text, t.line});
          inputs.push_back(v);
        } else {
          error_at(t.line, "expected an input (%value or _) of ", op, ", found ", describe(t));
        }
        next();
        if (accept_punct(")")) break;
        expect_punct(",", "between the inputs of " + op);
      }
    }
    std::vector<Attribute> attrs;
    if (accept_punct("{")) {
      std::set<std::string> names;
      while (true) {
        int aline = peek().line;
        Attribute a = attribute();
        if (!names.insert(a.name).second) error_at(aline, "attribute '", a.name, "' is given twice");
        attrs.push_back(std::move(a));
        if (accept_punct("}")) break;
        expect_punct(",", "between attributes");
      }
    }
    std::string name, overload, doc;
    std::vector<std::pair<std::string, std::string>> metadata;
    std::optional<NodeId> id;
    std::optional<std::vector<NodeId>> provenance;
    while (true) {
      if (accept_punct("@")) {
        name = string("the node name");
      } else if (at_word("overload")) {
        next();
        overload = string("the overload");
      } else if (at_word("doc")) {
        next();
        doc = string("the node doc string");
      } else if (at_word("metadata")) {
        next();
        expect_punct("{", "to open node metadata");
        while (!accept_punct("}")) {
          if (!metadata.empty()) expect_punct(",", "between metadata entries");
          std::string k = string("metadata key");
          expect_punct("=", "after the metadata key");
          metadata.emplace_back(std::move(k), string("metadata value"));
        }
      } else if (accept_punct("#")) {
        int64_t v = integer("a node id");
        if (v < 0) error_at(line, "bad node id");
        id = static_cast<NodeId>(v);
      } else if (accept_punct("<-")) {
        expect_punct("{", "to open the provenance list");
        std::vector<NodeId> p;
        while (!accept_punct("}")) {
          if (!p.empty()) expect_punct(",", "between provenance ids");
          int64_t v = integer("a provenance id");
          p.push_back(static_cast<NodeId>(v));
        }
        provenance = std::move(p);
      } else {
        break;
      }
    }
    std::vector<std::string> out_names;
    for (const Out& o : outs) out_names.push_back(o.name);
    if (id && g.find_node(*id)) error_at(line, "node id #", std::to_string(*id), " is used twice");
    Node* n = id ? g.add_node_with_id(*id, op, inputs, out_names, domain, nullptr)
                 : g.add_node(op, inputs, out_names, domain);
    n->name = std::move(name);
    n->overload = std::move(overload);
    n->doc_string = std::move(doc);
    n->metadata_props = std::move(metadata);
    if (provenance) n->provenance = std::move(*provenance);
    for (Attribute& a : attrs) n->set_attr(std::move(a));
    for (size_t i = 0; i < outs.size(); ++i) {
      if (outs[i].name.empty() || !outs[i].type.is_known()) continue;
      n->outputs()[i]->type = std::move(outs[i].type);
      n->outputs()[i]->has_value_info = true;
    }
    for (Fixup& f : pending) {
      f.node = n;
      fixups.push_back(std::move(f));
    }
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::vector<Graph*> scopes_;
};

}  // namespace

Model parse_model_text(std::string_view text) {
  Parser p(text);
  return p.model();
}

}  // namespace kiln
