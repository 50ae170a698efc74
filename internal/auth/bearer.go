package auth

import (
	"net/http"
	"strings"
)

// BearerToken returns the token of a request's Authorization header (RFC 6750
// §2.1), for the HTTP layer. The scheme is case-insensitive ("bearer" is
// accepted); exactly one Authorization header may be present; a token in the
// URL query (access_token) is refused, since URLs end up in logs and
// histories. It returns "" and no error when the request carries no
// credentials at all (a 401 without error="invalid_token"). Errors are
// *Error, like Verify's.
func BearerToken(r *http.Request) (string, error) {
	if r.URL != nil && strings.Contains(r.URL.RawQuery, "access_token") && r.URL.Query().Has("access_token") {
		return "", refuse(ReasonTokenInQuery)
	}
	vals := r.Header.Values("Authorization")
	switch len(vals) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", refuse(ReasonMultipleAuthorization)
	}
	scheme, tok, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", refuse(ReasonNotBearer)
	}
	tok = strings.TrimLeft(tok, " ")
	if tok == "" {
		return "", refuse(ReasonMissing)
	}
	if strings.ContainsAny(tok, " \t,") {
		return "", refuse(ReasonMalformed)
	}
	return tok, nil
}
