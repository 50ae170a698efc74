package llm

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an [Error] so the caller can decide what to do.
type Kind int

// The kinds of error.
const (
	// KindOther is any failure not listed below (a 4xx, a broken
	// connection, a malformed answer, a cancelled context).
	KindOther Kind = iota
	// KindContentFiltered: the server's content filter refused the
	// prompt or cut the answer.
	KindContentFiltered
	// KindRateLimited: the server still answered 429 when the retries
	// were used up, or asked to wait longer than the retry budget allows.
	KindRateLimited
	// KindTimeout: the per-call timeout or the context's deadline passed.
	KindTimeout
	// KindConfig: the configuration is incomplete or invalid.
	KindConfig
)

// Sentinels to test an error's kind with errors.Is.
var (
	ErrContentFiltered = errors.New("llm: content filtered")
	ErrRateLimited     = errors.New("llm: rate limited")
	ErrTimeout         = errors.New("llm: timed out")
	ErrConfig          = errors.New("llm: bad configuration")
	// ErrNotConfigured is returned by [New] for a [Config] that names no
	// endpoint; it is also of kind [KindConfig].
	ErrNotConfigured = errors.New("llm: no model endpoint is configured")
)

func (k Kind) String() string {
	switch k {
	case KindContentFiltered:
		return "content filtered"
	case KindRateLimited:
		return "rate limited"
	case KindTimeout:
		return "timeout"
	case KindConfig:
		return "bad configuration"
	default:
		return "other"
	}
}

func (k Kind) sentinel() error {
	switch k {
	case KindContentFiltered:
		return ErrContentFiltered
	case KindRateLimited:
		return ErrRateLimited
	case KindTimeout:
		return ErrTimeout
	case KindConfig:
		return ErrConfig
	default:
		return nil
	}
}

// Error is the error of this package. Its text never holds a key, a token
// or message content.
type Error struct {
	Kind Kind
	// Variable is the environment variable at fault, for KindConfig.
	Variable string
	// StatusCode is the last HTTP status, when there was one.
	StatusCode int
	// Code is the error code the server gave (such as "content_filter").
	Code string
	// Attempts is how many requests were sent.
	Attempts int
	// Detail is a short safe description.
	Detail string
	// Err is the underlying error, if any (its text is not repeated
	// unless known safe).
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("llm: ")
	b.WriteString(e.Kind.String())
	if e.Variable != "" {
		fmt.Fprintf(&b, ": %s", e.Variable)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
		if e.Code != "" {
			fmt.Fprintf(&b, ", code %q", e.Code)
		}
		b.WriteString(")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel of e's kind (ErrRateLimited and so on).
func (e *Error) Is(target error) bool {
	if s := e.Kind.sentinel(); s != nil && target == s {
		return true
	}
	return false
}

// KindOf returns the kind of err: that of the first [*Error] in its chain,
// else KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

func configError(variable, format string, args ...any) *Error {
	return &Error{Kind: KindConfig, Variable: variable, Detail: fmt.Sprintf(format, args...)}
}
