package clustertest

import (
	"testing"
	"time"
)

// Atomic slot migration with one end frozen (SIGSTOP) for longer than
// repl-timeout, then resumed (issue 7; Valkey's "Import cancelled when
// source hangs" and "Export cancelled when target hangs").

// TestASMSourceHangs: the source stops while streaming. The target gets
// no ACK for repl-timeout and fails the import, dropping its staging and
// its replica's; resumed, the source finds the link gone, fails the
// export and keeps its slots and every acknowledged write.
func TestASMSourceHangs(t *testing.T) {
	f := newASMProcs(t, buildServer(t), nil)
	defer f.logs()
	f.preload(200, 1000)
	f.startLoad()
	f.hold(phaseStreaming)
	f.src.Stop()
	expectMessage(t, f.wait(f.tgt, "failed"), asmTimedOut)
	waitNoKeys(t, f.tgt.Client(), f.lo, f.hi)
	waitNoKeys(t, f.rep.Client(), f.lo, f.hi)
	f.src.Cont()
	expectMessage(t, f.wait(f.src, "failed"), asmLostTarget)
	f.release(phaseStreaming)
	f.waitOK()
	f.w.waitAcks(t, 100)
	waitOneOwner(t, f.clients(), f.lo, f.hi, f.src.ID())
	f.w.check(t, false)
}

// TestASMTargetHangs: the target stops while the source streams. The
// source gets no ACK for repl-timeout, fails the export and keeps
// serving; resumed, the target finds the link gone and drops its staging.
func TestASMTargetHangs(t *testing.T) {
	f := newASMProcs(t, buildServer(t), nil)
	defer f.logs()
	f.preload(200, 1000)
	f.startLoad()
	f.hold(phaseStreaming)
	f.tgt.Stop()
	expectMessage(t, f.wait(f.src, "failed"), asmTimedOut)
	f.w.waitAcks(t, 100) // serving while the target is still frozen
	f.tgt.Cont()
	expectMessage(t, f.wait(f.tgt, "failed"), asmLostSource)
	f.release(phaseStreaming)
	f.waitReplica()
	f.waitOK()
	waitNoKeys(t, f.tgt.Client(), f.lo, f.hi)
	waitNoKeys(t, f.rep.Client(), f.lo, f.hi)
	waitOneOwner(t, f.clients(), f.lo, f.hi, f.src.ID())
	f.w.check(t, false)
}

// TestASMSourceHangsAcrossClaim is the hard case of the hand-over: the
// source granted the failover, then froze; the target claimed the slots
// meanwhile, and the claim waits in the frozen source's socket. When the
// source resumes its pause deadline is long past: Valkey would resume the
// writes at once, and every write acknowledged before the claim is read
// would be lost. Shoal asks the target first, learns of the claim, and
// hands the slots over with nothing lost.
func TestASMSourceHangsAcrossClaim(t *testing.T) {
	// repl-timeout 5: the target must not time the frozen source out
	// before the claim.
	f := newASMProcs(t, buildServer(t), map[string]string{"repl-timeout": "5"})
	defer f.logs()
	f.preload(200, 1000)
	f.startLoad()
	f.hold(phaseGranted)
	granted := time.Now()
	f.src.Stop()
	f.release(phaseGranted)
	f.wait(f.tgt, "success")
	// Frozen past its write pause (from the grant).
	time.Sleep(time.Until(granted.Add(asmPauseLength + 500*time.Millisecond)))
	f.src.Cont()
	f.wait(f.src, "success")
	f.waitOK()
	waitOneOwner(t, f.clients(), f.lo, f.hi, f.tgt.ID())
	f.w.waitAcks(t, 100) // the target serves the slots
	f.w.halt()
	f.waitReplicaMatches()
	f.w.check(t, false)
}
