package cluster

import "sort"

// The ban list keeps a forgotten node from being re-added by gossip of
// nodes that have not forgotten it yet, for BlacklistTTL.

func (s *State) blacklistCleanup() {
	for id, exp := range s.blacklist {
		if exp < s.now {
			delete(s.blacklist, id)
		}
	}
}

func (s *State) blacklistAdd(id ID) {
	s.blacklistCleanup()
	s.blacklist[id] = s.now + s.cfg.BlacklistTTL.Milliseconds()
}

func (s *State) blacklisted(id ID) bool {
	if len(s.blacklist) == 0 {
		return false
	}
	s.blacklistCleanup()
	_, ok := s.blacklist[id]
	return ok
}

// blacklistIDs returns the banned ids in order, for deterministic messages.
func (s *State) blacklistIDs() []ID {
	if len(s.blacklist) == 0 {
		return nil
	}
	ids := make([]ID, 0, len(s.blacklist))
	for id := range s.blacklist {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
