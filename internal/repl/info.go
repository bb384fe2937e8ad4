package repl

import (
	"sort"
	"time"

	"github.com/shoal-db/shoal/internal/command"
)

// Role implements command.Replication.
func (r *Repl) Role() command.ReplRole {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replica {
		role := command.ReplRole{Replica: true, Host: r.host, Port: r.pport, State: "connect", Offset: -1}
		if r.link != nil {
			st := r.link.stateNow()
			role.State = linkStateNames[st]
			if st == linkSync || st == linkConnected {
				role.Offset = r.offsetLocked()
			}
		}
		return role
	}
	role := command.ReplRole{Offset: r.offsetLocked()}
	for _, ri := range r.replicaInfos(time.Now()) {
		if ri.State == "online" {
			role.Replicas = append(role.Replicas, ri)
		}
	}
	return role
}

// replicaInfos describes the replica connections, oldest first; mu is held.
func (r *Repl) replicaInfos(now time.Time) []command.ReplicaInfo {
	reps := r.replicaList()
	sort.Slice(reps, func(i, j int) bool { return reps[i].client.ID < reps[j].client.ID })
	out := make([]command.ReplicaInfo, 0, len(reps))
	for _, rep := range reps {
		out = append(out, command.ReplicaInfo{IP: rep.ip, Port: rep.port, State: stateNames[rep.state.Load()],
			Offset: rep.ackOff.Load(), Lag: int64(now.Sub(time.UnixMilli(rep.ackTime.Load())).Seconds())})
	}
	return out
}

// Info implements command.Replication.
func (r *Repl) Info() command.ReplInfo {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.set
	in := command.ReplInfo{Replica: r.replica, Replicas: r.replicaInfos(now),
		ReplID: r.ids.replid, ReplID2: r.ids.replid2, Offset: r.offsetLocked(), SecondOffset: r.ids.secondOffset,
		BacklogSize: s.backlogSize}
	if s.minToWrite > 0 && s.minMaxLag > 0 {
		in.MinReplicasShown, in.MinReplicasGood = true, r.good.Load()
	}
	if r.bl != nil {
		in.BacklogActive = true
		in.BacklogFirstByte = r.bl.firstByte()
		in.BacklogHistlen = r.bl.histlen()
	}
	if !r.replica {
		return in
	}
	in.Host, in.Port = r.host, r.pport
	in.Priority, in.ReadOnly, in.Announced = s.priority, s.readOnly, s.announced
	in.LastIOSecs, in.LinkDownSecs = -1, -1
	in.ReplOffset = in.Offset
	in.ReadReplOffset = in.Offset
	if l := r.link; l != nil {
		st := l.stateNow()
		in.LinkUp = st == linkConnected
		in.SyncInProgress = st == linkSync
		if st == linkSync || st == linkConnected {
			in.LastIOSecs = int64(now.Sub(time.UnixMilli(l.lastIO.Load())).Seconds())
			in.ReadReplOffset = max(in.Offset, l.readOff.Load())
		}
		in.SyncReadBytes = l.syncRead.Load()
		in.SyncLastIOSecs = int64(now.Sub(time.UnixMilli(l.lastIO.Load())).Seconds())
		if down := l.downSince.Load(); down != 0 {
			in.LinkDownSecs = int64(now.Sub(time.UnixMilli(down)).Seconds())
		}
	}
	return in
}
