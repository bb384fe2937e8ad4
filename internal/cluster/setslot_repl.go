package cluster

// MyReplicaCount is how many replicas myself has in the node table
// (Valkey's myself->num_replicas). A primary replicates CLUSTER SETSLOT to
// its replicas before applying it only when it has any.
func (s *State) MyReplicaCount() int {
	if !s.myself.isPrimary() {
		return 0
	}
	return len(s.myself.replicas)
}
