package auth

import "errors"

// ErrInvalidToken is what every refusal of a token unwraps to.
var ErrInvalidToken = errors.New("invalid token")

// Error is a refused token. Reason is safe to show to the caller (for example
// in a WWW-Authenticate error_description): it never holds the token, claims
// values or key material.
type Error struct {
	Reason string
}

func (e *Error) Error() string { return "invalid token: " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalidToken) true.
func (e *Error) Unwrap() error { return ErrInvalidToken }

// The reasons Verify gives. They are stable: callers may compare them.
const (
	ReasonMissing          = "missing token"
	ReasonTooLarge         = "token too large"
	ReasonMalformed        = "malformed token"
	ReasonAlgorithm        = "signing algorithm not allowed"
	ReasonForbiddenHeader  = "forbidden header parameter"
	ReasonTokenType        = "not an access token"
	ReasonMissingKID       = "missing key id"
	ReasonInvalidKID       = "invalid key id"
	ReasonUnknownKey       = "unknown signing key"
	ReasonKeysUnavailable  = "signing keys unavailable"
	ReasonSignature        = "invalid signature"
	ReasonExpired          = "token expired"
	ReasonNoExpiry         = "token has no expiry"
	ReasonNotYetValid      = "token not yet valid"
	ReasonIssuedInFuture   = "token issued in the future"
	ReasonTimeClaim        = "invalid time claim"
	ReasonLifetime         = "token lifetime over the maximum"
	ReasonTokenVersion     = "unsupported token version"
	ReasonAudience         = "wrong audience"
	ReasonAudienceArray    = "multiple audiences not accepted"
	ReasonIssuer           = "wrong issuer"
	ReasonMissingTenant    = "missing tenant"
	ReasonTenantNotAllowed = "tenant not allowed"
	ReasonIDToken          = "ID token not accepted"
	ReasonMissingSubject   = "missing subject"
	ReasonInvalid          = "token not valid"

	// BearerToken's.
	ReasonTokenInQuery          = "token in the query string not accepted"
	ReasonMultipleAuthorization = "more than one Authorization header"
	ReasonNotBearer             = "not a bearer token"
)

func refuse(reason string) error { return &Error{Reason: reason} }
