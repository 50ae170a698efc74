package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// fetcher GETs small JSON documents (key sets, discovery) from an identity
// provider. Whatever client the caller supplied, it enforces a timeout, a
// size cap and redirects that stay on the same scheme and host: jwkset's own
// HTTP storage reads bodies without a limit, so the fetch lives here.
type fetcher struct {
	client  *http.Client
	timeout time.Duration
	max     int64
}

const maxRedirects = 5

func newFetcher(c *http.Client, timeout time.Duration, max int64) *fetcher {
	var cl http.Client
	if c != nil {
		cl = *c // a copy: the caller's client keeps its own redirect policy
	}
	cl.CheckRedirect = sameHostRedirect
	return &fetcher{client: &cl, timeout: timeout, max: max}
}

// sameHostRedirect refuses a redirect to another scheme or host before any
// request reaches it.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errors.New("too many redirects")
	}
	from := via[0].URL
	if req.URL.Scheme != from.Scheme || !strings.EqualFold(req.URL.Host, from.Host) {
		return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
	}
	return nil
}

func (f *fetcher) get(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	if resp.ContentLength > f.max {
		return nil, fmt.Errorf("GET %s: body of %d bytes is over the %d-byte limit", u, resp.ContentLength, f.max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if int64(len(body)) > f.max {
		return nil, fmt.Errorf("GET %s: body over the %d-byte limit", u, f.max)
	}
	return body, nil
}
