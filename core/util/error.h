#pragma once
// Kiln reports every user-facing failure (bad model, bad option, missing file) as a kiln::Error
// whose message names the thing and the reason; the CLI prints it on one line and exits non-zero.
#include <stdexcept>
#include <string>

namespace kiln {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A well-formed model that uses something Kiln does not implement (an op without a kernel, an
// element type or mode a kernel lacks): a gap in Kiln rather than a fault in the input, which
// callers such as the conformance suite count separately.
class Unsupported : public Error {
 public:
  using Error::Error;
};

// Throws kiln::Error with the pieces concatenated; keeps call sites short.
template <class... Args>
[[noreturn]] void fail(const Args&... parts) {
  std::string msg;
  (msg.append(std::string(parts)), ...);
  throw Error(msg);
}

// Throws kiln::Unsupported with the pieces concatenated.
template <class... Args>
[[noreturn]] void fail_unsupported(const Args&... parts) {
  std::string msg;
  (msg.append(std::string(parts)), ...);
  throw Unsupported(msg);
}

}  // namespace kiln
