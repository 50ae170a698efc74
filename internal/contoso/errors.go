package contoso

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds of error. Each maps to one HTTP status and one way of answering
// an MCP tool call (see Kind.HTTPStatus and Kind.ToolError).
const (
	KindInvalid          Kind = "invalid"           // the request is wrong; retrying it unchanged fails again
	KindNotFound         Kind = "not_found"         // a named record does not exist
	KindConflict         Kind = "conflict"          // the request is valid but the data's state forbids it
	KindPermissionDenied Kind = "permission_denied" // the caller may not do this
	KindUnauthenticated  Kind = "unauthenticated"   // no or bad credentials
	KindUnavailable      Kind = "unavailable"       // a dependency is down; retry later
	KindInternal         Kind = "internal"          // a bug or an unexpected failure; the message is generic
)

// Error is the one error type of the domain. Message is safe to show to the
// client and to a model; Err is the cause, for the log only.
type Error struct {
	Kind    Kind
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the kind with a formatted, client-safe message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure. The client sees only a generic
// message; the cause stays in the log.
func Internal(cause error, what string) *Error {
	return &Error{Kind: KindInternal, Message: "internal error while " + what, Err: cause}
}

// ErrorKind returns the kind of err: the kind of the first *Error in its
// chain, KindInternal otherwise.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// PublicMessage returns what may be shown to a client for err: the message
// of an *Error of any kind but internal, a generic text otherwise.
func PublicMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// HTTPStatus is the status code that answers an error of this kind.
func (k Kind) HTTPStatus() int {
	switch k {
	case KindInvalid:
		return http.StatusBadRequest
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindPermissionDenied:
		return http.StatusForbidden
	case KindUnauthenticated:
		return http.StatusUnauthorized
	case KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
