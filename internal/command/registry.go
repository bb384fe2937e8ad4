package command

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"sync/atomic"
)

// Registry is the set of connected clients.
type Registry struct {
	nextID atomic.Int64
	mu     sync.RWMutex
	m      map[int64]*Client
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: make(map[int64]*Client)} }

// NextID allocates a client id (ids only grow, as in Valkey).
func (r *Registry) NextID() int64 { return r.nextID.Add(1) }

// Add registers a client.
func (r *Registry) Add(c *Client) {
	r.mu.Lock()
	r.m[c.ID] = c
	r.mu.Unlock()
}

// Remove unregisters a client.
func (r *Registry) Remove(c *Client) {
	r.mu.Lock()
	delete(r.m, c.ID)
	r.mu.Unlock()
}

// Len is the number of connected clients.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.m)
}

// Get returns the client with id, or nil.
func (r *Registry) Get(id int64) *Client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.m[id]
}

// All returns the clients sorted by id.
func (r *Registry) All() []*Client {
	r.mu.RLock()
	out := make([]*Client, 0, len(r.m))
	for _, c := range r.m {
		out = append(out, c)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func newRunID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
