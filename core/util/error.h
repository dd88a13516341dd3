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

// Throws kiln::Error with the pieces concatenated; keeps call sites short.
template <class... Args>
[[noreturn]] void fail(const Args&... parts) {
  std::string msg;
  (msg.append(std::string(parts)), ...);
  throw Error(msg);
}

}  // namespace kiln
