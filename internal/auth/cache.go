package auth

import (
	"container/list"
	"crypto/rsa"
	"sync"
	"time"
)

// tokenCache remembers verified tokens by the SHA-256 of their text. It is
// bounded (the oldest entry goes first) and an entry lasts until the token's
// exp (plus leeway) and at most MaxCacheAge. A hit counts only while the key
// that verified the token is still the key its kid names in its key set.
type tokenCache struct {
	mu    sync.Mutex
	max   int
	m     map[[32]byte]*list.Element
	order *list.List // of *cacheEntry, oldest first
}

type cacheEntry struct {
	sum     [32]byte
	p       *Principal
	expires time.Time
	keys    *keyStore
	kid     string
	key     *rsa.PublicKey
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, m: make(map[[32]byte]*list.Element), order: list.New()}
}

func (c *tokenCache) get(sum [32]byte, now time.Time) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[sum]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) || e.keys.current(e.kid) != e.key {
		c.order.Remove(el)
		delete(c.m, sum)
		return nil, false
	}
	return e, true
}

func (c *tokenCache) put(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[e.sum]; ok {
		c.order.Remove(el)
	}
	c.m[e.sum] = c.order.PushBack(e)
	for c.order.Len() > c.max {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.m, oldest.Value.(*cacheEntry).sum)
	}
}

func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
