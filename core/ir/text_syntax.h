#pragma once
// Lexical rules shared by the text printer and parser (see text_format.h), so what one writes the
// other reads: which names print bare, how strings are quoted, how tensor contents are hashed.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kiln::text {

inline bool is_word_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
inline bool is_word_char(char c) { return is_word_start(c) || (c >= '0' && c <= '9') || c == '.'; }

// Op types, domains, attribute names and dim symbols print bare when they are words:
// [A-Za-z_][A-Za-z0-9_.]*. Anything else is quoted.
inline bool is_bare_word(std::string_view s) {
  if (s.empty() || !is_word_start(s[0])) return false;
  for (char c : s)
    if (!is_word_char(c)) return false;
  return true;
}

// After '%', a value name prints bare when it is [A-Za-z0-9_.]+ ("input.1", "123", "conv1.weight").
inline bool is_bare_value_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_word_char(c)) return false;
  return true;
}

// "..." with \" \\ \n \t \r and \xNN for other control bytes; bytes >= 0x80 (UTF-8) stay as they are.
inline std::string quote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

inline std::string word_or_quoted(std::string_view s) { return is_bare_word(s) ? std::string(s) : quote(s); }

inline std::string value_ref(std::string_view name) {
  return "%" + (is_bare_value_name(name) ? std::string(name) : quote(name));
}

// 64-bit FNV-1a, streamed.
struct Fnv1a {
  uint64_t h = 0xcbf29ce484222325ull;
  void add(std::span<const uint8_t> bytes) {
    for (uint8_t b : bytes) {
      h ^= b;
      h *= 0x100000001b3ull;
    }
  }
  void add(std::string_view s) {
    add(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  std::string hex() const {
    static const char* kHex = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 0; i < 16; ++i) out[static_cast<size_t>(15 - i)] = kHex[(h >> (4 * i)) & 0xf];
    return out;
  }
};

}  // namespace kiln::text
