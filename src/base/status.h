// Status and StatusOr<T>: how every expected failure travels between subsystems.
//
// A Status carries a code and a message a user can act on, for example
// "supply.csv:42:3: share: expected a number in [0, 1], got '1.5'". Functions that
// can fail return Status or StatusOr<T>; both are [[nodiscard]].
#ifndef RENKEI_BASE_STATUS_H_
#define RENKEI_BASE_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace renkei {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: a file, a request field, a command-line value
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // a new thing collides with one that exists
  kFailedPrecondition,  // the system is not in a state that allows the call
  kPermissionDenied,    // the caller may not do this
  kUnauthenticated,     // the caller is not who it claims
  kOutOfRange,          // a value outside what the operation accepts
  kUnavailable,         // a peer or resource could not be reached; may be retried
  kDataLoss,            // stored data is damaged
  kInternal,            // a bug or a failure of the machine (I/O, memory)
};

// "InvalidArgument", "NotFound", ...
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message".
  Status WithPrefix(std::string_view prefix) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnauthenticatedError(std::string message);
Status OutOfRangeError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : data_(value) {}            // NOLINT: implicit by design
  StatusOr(T&& value) : data_(std::move(value)) {}      // NOLINT
  StatusOr(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok() && "StatusOr needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> data_;
};

}  // namespace renkei

#define RENKEI_CONCAT_INNER_(a, b) a##b
#define RENKEI_CONCAT_(a, b) RENKEI_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define RENKEI_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::renkei::Status renkei_status_ = (expr);        \
    if (!renkei_status_.ok()) return renkei_status_; \
  } while (false)

// `lhs` = the value of the StatusOr `expr`, or return its error.
#define RENKEI_ASSIGN_OR_RETURN(lhs, expr) \
  RENKEI_ASSIGN_OR_RETURN_IMPL_(RENKEI_CONCAT_(renkei_or_, __LINE__), lhs, expr)
#define RENKEI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // RENKEI_BASE_STATUS_H_
