package pubsub

// Hub is the subscription registry.
type Hub struct{}

// New returns an empty Hub.
func New() *Hub { return &Hub{} }
