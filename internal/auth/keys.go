package auth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// keyStore is one issuer's (one tenant's) key cache. It implements
// jwkset.Storage so that keyfunc v3 can use it as its key source, but it does
// its own fetching and refreshing because jwkset's HTTP storage does not fit
// the rules here:
//   - jwkset reads the body with no size limit, and replaces the keys with
//     whatever the refresh parsed, even an empty set;
//   - it keeps symmetric (oct) keys, since it unmarshals with Private set;
//   - its unknown-kid limiter and refresh ticker run on the wall clock, so
//     tests could not drive them with a fake clock, and each caller refused by
//     the limiter fails at once instead of waiting for the fetch under way.
//
// jwkset still parses and validates each key (NewJWKFromMarshal) and keyfunc
// still maps a token's kid to its key and checks the key's alg.
type keyStore struct {
	url          string // "" for a static set (dev issuer)
	fetch        *fetcher
	log          *slog.Logger
	now          func() time.Time
	fetchTimeout time.Duration
	refreshEvery time.Duration
	retryEvery   time.Duration
	limiter      *rate.Limiter // unknown-kid fetches
	bg           context.Context
	kf           keyfunc.Keyfunc

	snap    atomic.Pointer[keySnapshot]
	nextDue atomic.Int64 // UnixNano on the Config.Now clock of the next periodic refresh
	fetches atomic.Int64 // fetches started (tests and metrics)

	mu       sync.Mutex
	inflight chan struct{} // closed when the fetch under way ends
}

type keySnapshot struct {
	list  []jwkset.JWK
	byKID map[string]jwkset.JWK
}

var _ jwkset.Storage = (*keyStore)(nil)

func newKeyStore(bg context.Context, url string, cfg Config, f *fetcher) *keyStore {
	s := &keyStore{
		url:          url,
		fetch:        f,
		log:          cfg.Logger,
		now:          cfg.Now,
		fetchTimeout: cfg.FetchTimeout,
		refreshEvery: cfg.RefreshInterval,
		retryEvery:   min(cfg.RefreshInterval, maxFailureRetry),
		limiter:      rate.NewLimiter(rate.Every(cfg.UnknownKIDInterval), 1),
		bg:           bg,
	}
	s.snap.Store(&keySnapshot{byKID: map[string]jwkset.JWK{}})
	s.kf, _ = keyfunc.New(keyfunc.Options{Ctx: bg, Storage: s}) // fails only for a nil storage
	return s
}

// newStaticKeyStore holds a fixed key set (the dev issuer's): never fetched,
// so an unknown kid is simply unknown.
func newStaticKeyStore(bg context.Context, jwksJSON []byte, cfg Config) (*keyStore, error) {
	s := newKeyStore(bg, "", cfg, nil)
	keys, err := parseKeySet(jwksJSON)
	if err != nil {
		return nil, err
	}
	if err := s.KeyReplaceAll(bg, keys); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *keyStore) snapshot() *keySnapshot { return s.snap.Load() }

// current is the key now held for kid, without any fetch (verified-token
// cache checks).
func (s *keyStore) current(kid string) *rsa.PublicKey {
	j, ok := s.snapshot().byKID[kid]
	if !ok {
		return nil
	}
	pub, _ := j.Key().(*rsa.PublicKey)
	return pub
}

// run refreshes in the background until ctx ends. It wakes every minute (or
// every RefreshInterval if shorter) and fetches when a refresh is due on the
// Config.Now clock; Verify calls maybeRefresh too, so a fake clock drives
// refreshes in tests.
func (s *keyStore) run(ctx context.Context) {
	t := time.NewTicker(min(s.refreshEvery, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.maybeRefresh(s.now())
		}
	}
}

// maybeRefresh starts a background refresh when one is due. It never waits.
func (s *keyStore) maybeRefresh(now time.Time) {
	if s.url == "" {
		return
	}
	due := s.nextDue.Load()
	if now.UnixNano() < due {
		return
	}
	if s.nextDue.CompareAndSwap(due, now.Add(s.retryEvery).UnixNano()) {
		s.startRefresh()
	}
}

// startRefresh starts a fetch unless one is under way, and returns a channel
// closed when that fetch ends.
func (s *keyStore) startRefresh() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight != nil {
		return s.inflight
	}
	done := make(chan struct{})
	s.inflight = done
	go func() {
		// Detached from any request: a caller that gives up must not
		// cancel a fetch others wait for.
		ctx, cancel := context.WithTimeout(s.bg, s.fetchTimeout)
		err := s.refresh(ctx)
		cancel()
		now := s.now()
		if err != nil {
			s.nextDue.Store(now.Add(s.retryEvery).UnixNano())
			s.log.Warn("auth: key set refresh failed; keeping the previous keys",
				"url", s.url, "keys_kept", len(s.snapshot().list), "error", err.Error())
		} else {
			s.nextDue.Store(now.Add(s.refreshEvery).UnixNano())
		}
		s.mu.Lock()
		s.inflight = nil
		s.mu.Unlock()
		close(done)
	}()
	return done
}

// refreshForUnknownKID fetches the set again at most once per
// UnknownKIDInterval, and otherwise waits for a fetch already under way.
func (s *keyStore) refreshForUnknownKID(ctx context.Context) error {
	var done <-chan struct{}
	if s.limiter.AllowN(s.now(), 1) {
		done = s.startRefresh()
	} else {
		s.mu.Lock()
		done = s.inflight
		s.mu.Unlock()
	}
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitIdle waits for the fetch under way, if any (tests).
func (s *keyStore) waitIdle() {
	s.mu.Lock()
	done := s.inflight
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

func (s *keyStore) refresh(ctx context.Context) error {
	s.fetches.Add(1)
	body, err := s.fetch.get(ctx, s.url)
	if err != nil {
		return err
	}
	keys, err := parseKeySet(body)
	if err != nil {
		return err
	}
	old := s.snapshot()
	if err := s.KeyReplaceAll(ctx, keys); err != nil {
		return err
	}
	if kids, oldKids := kidsOf(keys), kidsOf(old.list); !slices.Equal(kids, oldKids) {
		s.log.Info("auth: key set changed", "url", s.url, "kids", kids, "previous", oldKids)
	}
	return nil
}

func kidsOf(keys []jwkset.JWK) []string {
	kids := make([]string, 0, len(keys))
	for _, k := range keys {
		kids = append(kids, k.Marshal().KID)
	}
	slices.Sort(kids)
	return kids
}

// parseKeySet keeps the usable keys of a JWK Set document, and fails when
// there are none: an empty or useless set never replaces a good one.
func parseKeySet(body []byte) ([]jwkset.JWK, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("key set is not a JSON object: %w", err)
	}
	keys := make([]jwkset.JWK, 0, len(doc.Keys))
	seen := map[string]bool{}
	for _, raw := range doc.Keys {
		j, err := usableKey(raw)
		if err != nil {
			continue // other kinds of keys may share a set: ignore them
		}
		kid := j.Marshal().KID
		if seen[kid] {
			continue // the first key with a kid wins, as in keyfunc
		}
		seen[kid] = true
		keys = append(keys, j)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("key set has no usable RSA signing key (%d keys)", len(doc.Keys))
	}
	return keys, nil
}

// usableKey parses one JWK and accepts it only as an RSA public key for
// RS256 signatures.
func usableKey(raw json.RawMessage) (jwkset.JWK, error) {
	var m struct {
		KTY    string   `json:"kty"`
		USE    string   `json:"use"`
		ALG    string   `json:"alg"`
		KID    string   `json:"kid"`
		N      string   `json:"n"`
		E      string   `json:"e"`
		KeyOps []string `json:"key_ops"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return jwkset.JWK{}, err
	}
	if m.KTY != string(jwkset.KtyRSA) {
		return jwkset.JWK{}, fmt.Errorf("kty %q is not RSA", m.KTY)
	}
	if e, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(m.E, "=")); err != nil || len(e) == 0 || len(e) > 4 {
		return jwkset.JWK{}, errors.New("bad RSA exponent")
	}
	// Only the public parameters go on: private parts of a key published by
	// mistake, x5c and x5u are dropped (jwkset would fetch x5u when asked).
	clean := jwkset.JWKMarshal{
		KTY: jwkset.KtyRSA, USE: jwkset.USE(m.USE), ALG: jwkset.ALG(m.ALG), KID: m.KID, N: m.N, E: m.E,
	}
	for _, op := range m.KeyOps {
		clean.KEYOPS = append(clean.KEYOPS, jwkset.KEYOPS(op))
	}
	j, err := jwkset.NewJWKFromMarshal(clean, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return jwkset.JWK{}, err
	}
	if err := acceptable(j); err != nil {
		return jwkset.JWK{}, err
	}
	return j, nil
}

// acceptable is the rule for every key a keyStore holds.
func acceptable(j jwkset.JWK) error {
	m := j.Marshal()
	pub, ok := j.Key().(*rsa.PublicKey)
	switch {
	case !ok:
		return fmt.Errorf("key %T is not an RSA public key", j.Key())
	case m.KID == "":
		return errors.New("key without kid")
	case m.USE != "" && m.USE != jwkset.UseSig:
		return fmt.Errorf("use %q is not sig", m.USE)
	case m.ALG != "" && m.ALG != jwkset.AlgRS256:
		return fmt.Errorf("alg %q is not RS256", m.ALG)
	case len(m.KEYOPS) > 0 && !slices.Contains(m.KEYOPS, jwkset.KeyOpsVerify):
		return errors.New("key_ops lacks verify")
	case pub.N.BitLen() < 2048 || pub.N.BitLen() > 8192:
		return fmt.Errorf("RSA key of %d bits", pub.N.BitLen())
	case pub.E < 3 || pub.E%2 == 0:
		return errors.New("bad RSA exponent")
	}
	return nil
}

// jwkset.Storage. keyfunc calls KeyRead; the rest keeps the contract.

// KeyRead returns the key for kid. An unknown kid triggers a fetch, at most
// one per UnknownKIDInterval.
func (s *keyStore) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	if j, ok := s.snapshot().byKID[kid]; ok {
		return j, nil
	}
	if s.url != "" {
		if err := s.refreshForUnknownKID(ctx); err != nil {
			return jwkset.JWK{}, err
		}
		if j, ok := s.snapshot().byKID[kid]; ok {
			return j, nil
		}
	}
	if len(s.snapshot().list) == 0 {
		return jwkset.JWK{}, errors.Join(jwkset.ErrKeyNotFound, refuse(ReasonKeysUnavailable))
	}
	return jwkset.JWK{}, errors.Join(jwkset.ErrKeyNotFound, refuse(ReasonUnknownKey))
}

// KeyReadAll returns a snapshot of the keys.
func (s *keyStore) KeyReadAll(context.Context) ([]jwkset.JWK, error) {
	return slices.Clone(s.snapshot().list), nil
}

// KeyReplaceAll replaces the set, keeping only acceptable keys; it refuses
// to leave the store empty.
func (s *keyStore) KeyReplaceAll(_ context.Context, given []jwkset.JWK) error {
	prev := s.snapshot()
	next := &keySnapshot{byKID: make(map[string]jwkset.JWK, len(given))}
	for _, j := range given {
		kid := j.Marshal().KID
		if _, dup := next.byKID[kid]; dup || acceptable(j) != nil {
			continue
		}
		// Keep the held key when it is unchanged, so verified-token cache
		// entries (which compare key pointers) survive a routine refresh.
		if old, ok := prev.byKID[kid]; ok && sameKey(old, j) {
			j = old
		}
		next.list = append(next.list, j)
		next.byKID[kid] = j
	}
	if len(next.list) == 0 {
		return errors.New("refusing to replace the key set with one holding no usable key")
	}
	s.snap.Store(next)
	return nil
}

// KeyWrite adds or replaces one acceptable key.
func (s *keyStore) KeyWrite(ctx context.Context, j jwkset.JWK) error {
	if err := acceptable(j); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := slices.DeleteFunc(slices.Clone(s.snapshot().list), func(k jwkset.JWK) bool { return k.Marshal().KID == j.Marshal().KID })
	return s.KeyReplaceAll(ctx, append(keys, j))
}

// KeyDelete removes a key, unless it is the last one.
func (s *keyStore) KeyDelete(ctx context.Context, kid string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.snapshot().list
	keys := slices.DeleteFunc(slices.Clone(old), func(k jwkset.JWK) bool { return k.Marshal().KID == kid })
	if len(keys) == len(old) {
		return false, nil
	}
	if err := s.KeyReplaceAll(ctx, keys); err != nil {
		return false, err
	}
	return true, nil
}

func sameKey(a, b jwkset.JWK) bool {
	pa, _ := a.Key().(*rsa.PublicKey)
	pb, _ := b.Key().(*rsa.PublicKey)
	ma, mb := a.Marshal(), b.Marshal()
	return pa != nil && pb != nil && pa.Equal(pb) && ma.ALG == mb.ALG && ma.USE == mb.USE
}

func (s *keyStore) memory() *jwkset.MemoryJWKSet {
	m := jwkset.NewMemoryStorage()
	_ = m.KeyReplaceAll(context.Background(), slices.Clone(s.snapshot().list))
	return m
}

func (s *keyStore) JSON(ctx context.Context) (json.RawMessage, error) { return s.memory().JSON(ctx) }
func (s *keyStore) JSONPublic(ctx context.Context) (json.RawMessage, error) {
	return s.memory().JSONPublic(ctx)
}
func (s *keyStore) JSONPrivate(ctx context.Context) (json.RawMessage, error) {
	return s.memory().JSONPublic(ctx) // only public keys are ever held
}
func (s *keyStore) JSONWithOptions(ctx context.Context, m jwkset.JWKMarshalOptions, v jwkset.JWKValidateOptions) (json.RawMessage, error) {
	return s.memory().JSONWithOptions(ctx, m, v)
}
func (s *keyStore) Marshal(ctx context.Context) (jwkset.JWKSMarshal, error) {
	return s.memory().Marshal(ctx)
}
func (s *keyStore) MarshalWithOptions(ctx context.Context, m jwkset.JWKMarshalOptions, v jwkset.JWKValidateOptions) (jwkset.JWKSMarshal, error) {
	return s.memory().MarshalWithOptions(ctx, m, v)
}
