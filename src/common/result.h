// Result<T>: the return type of every operation that can fail in an expected way (bad bytes, lost
// connection, rejected config). Errors are classified so callers know whether to retry, stop, or report.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sluice {

enum class ErrorKind {
  kTransient,  // retry with backoff (connection lost, broker unavailable)
  kFatal,      // stop with a clear message (bad config, missing privilege)
  kData,       // a change that cannot be decoded or converted (report table + LSN)
};

struct Error {
  ErrorKind kind = ErrorKind::kFatal;
  std::string message;
  // A fatal error the configuration causes where it meets the database (a column rule that cannot apply to
  // a table): the process exits 2, as for a configuration rejected at start-up.
  bool config = false;

  static Error transient(std::string m) { return {ErrorKind::kTransient, std::move(m)}; }
  static Error fatal(std::string m) { return {ErrorKind::kFatal, std::move(m)}; }
  static Error data(std::string m) { return {ErrorKind::kData, std::move(m)}; }
  static Error config_error(std::string m) { return {ErrorKind::kFatal, std::move(m), true}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
  return Ok{};
}

}  // namespace sluice
