package migration

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// After FAILOVER-GRANTED the source no longer decides alone what becomes
// of the slots: the target may have claimed them (a config epoch bump,
// saved in its nodes.conf) without the source having heard of it yet.
// Valkey resumes the writes when the pause deadline passes ("Write loss
// risk!"): if the claim was made, every write the source acknowledges from
// then on is lost once the claim reaches it. Shoal calls the hand-over off
// at the deadline as Valkey does (it closes the link, which fails the
// target's import unless its takeover has begun) but keeps the writes to
// the slots paused until it knows: it sees the target own them (success),
// or the target, asked directly, says it did not and never will
// (docs/design/0008, "After the grant"). It asks once the link is gone.

// How often and how long the source asks the target about a grant.
const (
	grantAskEvery   = 500 * time.Millisecond
	grantAskTimeout = time.Second
)

// grantOutcome is what the target says about a granted hand-over.
type grantOutcome int

const (
	grantPending   grantOutcome = iota // it may still claim the slots
	grantClaimed                       // it owns them (the topology will say so)
	grantAbandoned                     // it did not and never will claim them
)

// giveUp is the pause deadline passing after the grant with the link
// still up: the source closes it, as Valkey does when it fails the job;
// the writes stay paused until settleGrant knows the outcome.
func (e *exportJob) giveUp(link net.Conn) {
	e.gaveUp, e.linkLost = true, true
	link.Close()
	e.m.env.Log.Warn("slot migration: the pause deadline passed after the failover was granted; link closed, "+
		"writes to the slots stay paused until the target confirms it did not claim them", "job", e.job.Name)
}

// settleGrant asks the target, at most every grantAskEvery, what became
// of the grant. It returns the job's failure once the target is known
// not to claim the slots (resuming the writes is then safe), nil while
// the source must keep waiting. The message is Valkey's for the same
// end: the link lost, or the pause lapsed before the hand-over completed
// (which in Shoal lost no write: the target confirmed it did not claim).
func (e *exportJob) settleGrant() error {
	if time.Since(e.lastAsk) < grantAskEvery {
		return nil
	}
	e.lastAsk = time.Now()
	out, err := e.askTarget()
	switch {
	case err != nil:
		e.m.env.Log.Debug("slot migration: cannot ask the target about the grant", "job", e.job.Name, "err", err)
		return nil
	case out != grantAbandoned:
		return nil
	}
	e.m.env.Log.Warn("slot migration: the target did not claim the granted slots; resuming writes", "job", e.job.Name)
	if e.gaveUp {
		return e.fail(MsgWriteLossRisk)
	}
	return e.fail(MsgConnLostTarget)
}

// askTarget reads the target's own view over a new connection: its
// import's state in CLUSTER GETSLOTMIGRATIONS, and the slots it owns in
// CLUSTER NODES (a restarted target has no log but kept its nodes.conf).
func (e *exportJob) askTarget() (grantOutcome, error) {
	addr, ok := e.m.nodeAddr(e.job.Target)
	if !ok {
		return grantPending, errors.New("target node not found")
	}
	conn, err := e.m.env.Dial(addr, grantAskTimeout)
	if err != nil {
		return grantPending, fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(grantAskTimeout))
	var req []byte
	auth := false
	if pass, _ := e.m.env.Config.Get("primaryauth"); pass != "" {
		args := [][]byte{[]byte("AUTH")}
		if user, _ := e.m.env.Config.Get("primaryuser"); user != "" {
			args = append(args, []byte(user))
		}
		req, auth = appendArgv(req, append(args, []byte(pass))), true
	}
	req = appendArgv(req, [][]byte{[]byte("CLUSTER"), []byte("NODES")})
	req = appendArgv(req, [][]byte{[]byte("CLUSTER"), []byte("GETSLOTMIGRATIONS")})
	if _, err := conn.Write(req); err != nil {
		return grantPending, fmt.Errorf("ask %s: %w", addr, err)
	}
	rr := resp.NewReplyReader(conn)
	if auth {
		if _, err := readOK(rr); err != nil {
			return grantPending, err
		}
	}
	nodes, err := readOK(rr)
	if err != nil {
		return grantPending, err
	}
	jobs, err := readOK(rr)
	if err != nil {
		return grantPending, err
	}
	id, owns := myselfOwns(nodes.Text(), e.slots)
	if id != e.job.Target {
		return grantPending, fmt.Errorf("%s answers as node %q, not the target", addr, id)
	}
	switch st := importState(jobs, e.job.Name); {
	case st == StateSuccess:
		return grantClaimed, nil
	case st == "":
		// Not in its log: it restarted (the log lives in memory) or
		// trimmed the finished entry. Its nodes.conf has the claim if
		// there was one.
		if owns {
			return grantClaimed, nil
		}
		return grantAbandoned, nil
	case st.Terminal():
		return grantAbandoned, nil // failed or cancelled before its takeover
	}
	return grantPending, nil
}

// readOK reads one reply and turns an error reply into an error.
func readOK(rr *resp.ReplyReader) (*resp.Reply, error) {
	r, err := rr.ReadReply()
	if err != nil {
		return nil, err
	}
	if r.IsError() {
		return nil, fmt.Errorf("target replied %s", r.Str)
	}
	return r, nil
}

// myselfOwns finds the "myself" line of CLUSTER NODES and reports its id
// and whether it owns every one of slots.
func myselfOwns(nodes string, slots []int) (string, bool) {
	for _, line := range strings.Split(nodes, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || !strings.Contains(f[2], "myself") {
			continue
		}
		var owned [256]uint64
		for _, r := range f[8:] {
			var lo, hi int
			if _, err := fmt.Sscanf(r, "%d-%d", &lo, &hi); err != nil {
				if _, err := fmt.Sscanf(r, "%d", &lo); err != nil {
					continue // [slot->-node] markers
				}
				hi = lo
			}
			for s := lo; s <= hi && s>>6 < len(owned); s++ {
				owned[s>>6] |= 1 << (s & 63)
			}
		}
		for _, s := range slots {
			if owned[s>>6]&(1<<(s&63)) == 0 {
				return f[0], false
			}
		}
		return f[0], true
	}
	return "", false
}

// importState is the state of import name in a GETSLOTMIGRATIONS reply
// (RESP2 arrays or RESP3 maps, keys and values alternating), or "".
func importState(jobs *resp.Reply, name string) State {
	for _, j := range jobs.Elems {
		var jobName, op, st string
		for i := 0; i+1 < len(j.Elems); i += 2 {
			switch j.Elems[i].Text() {
			case "name":
				jobName = j.Elems[i+1].Text()
			case "operation":
				op = j.Elems[i+1].Text()
			case "state":
				st = j.Elems[i+1].Text()
			}
		}
		if jobName == name && op == string(Import) {
			return State(st)
		}
	}
	return ""
}
