package command

import (
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/types"
)

// clusterParseSlot is getSlotOrReply: an integer in [0, 16384).
func clusterParseSlot(c *Ctx, i int) (int, bool) {
	v, ok := types.ParseInt(c.Argv[i])
	if !ok || v < 0 || v >= slot.Count {
		c.Error(ErrClusterSlot)
		return 0, false
	}
	return int(v), true
}

func clusterAddSlots(c *Ctx) { clusterSlotsGeneric(c, false) }
func clusterDelSlots(c *Ctx) { clusterSlotsGeneric(c, true) }

// clusterSlotsGeneric is CLUSTER ADDSLOTS / DELSLOTS: every argument is
// parsed before anything changes; the state checks busy and repeated slots.
func clusterSlotsGeneric(c *Ctx, del bool) {
	slots := make([]int, 0, len(c.Argv)-2)
	for i := 2; i < len(c.Argv); i++ {
		s, ok := clusterParseSlot(c, i)
		if !ok {
			return
		}
		slots = append(slots, s)
	}
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) {
		if del {
			return s.DelSlots(now, slots)
		}
		return s.AddSlots(now, slots)
	})
}

func clusterAddSlotsRange(c *Ctx) { clusterSlotsRangeGeneric(c, false) }
func clusterDelSlotsRange(c *Ctx) { clusterSlotsRangeGeneric(c, true) }

// clusterSlotsRangeGeneric is CLUSTER ADDSLOTSRANGE / DELSLOTSRANGE.
func clusterSlotsRangeGeneric(c *Ctx, del bool) {
	if len(c.Argv)%2 == 1 {
		c.WrongArgs()
		return
	}
	ranges := make([]cluster.Range, 0, (len(c.Argv)-2)/2)
	for i := 2; i < len(c.Argv); i += 2 {
		start, ok := clusterParseSlot(c, i)
		if !ok {
			return
		}
		end, ok := clusterParseSlot(c, i+1)
		if !ok {
			return
		}
		ranges = append(ranges, cluster.Range{Start: start, End: end})
	}
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) {
		if del {
			return s.DelSlotsRanges(now, ranges)
		}
		return s.AddSlotsRanges(now, ranges)
	})
}

// clusterFlushSlots is CLUSTER FLUSHSLOTS: every database must be empty.
func clusterFlushSlots(c *Ctx) {
	if c.Node.clusterKeyCount() != 0 {
		c.Error(ErrClusterFlushSlotsKeys)
		return
	}
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.FlushSlots(now), nil })
}

func clusterKeySlot(c *Ctx) { c.W.Int(int64(slot.Of(c.Argv[2]))) }

// clusterCountKeysInSlot counts the slot's keys in the selected database.
func clusterCountKeysInSlot(c *Ctx) {
	v, ok := c.Int(2)
	if !ok {
		return
	}
	if v < 0 || v >= slot.Count {
		c.Error(ErrClusterCountKeysSlot)
		return
	}
	// Keys being imported by an atomic slot migration count, as in Valkey;
	// those of a slot this node lost do not.
	c.awaitSlotDropped(int(v))
	db := c.Tx.DB()
	c.W.Int(int64(db.SlotSize(int(v)) + db.StagedSlotSize(int(v))))
}

// clusterGetKeysInSlot lists up to count keys of the slot in the selected
// database.
func clusterGetKeysInSlot(c *Ctx) {
	sl, ok := c.Int(2)
	if !ok {
		return
	}
	count, ok := c.Int(3)
	if !ok {
		return
	}
	if sl < 0 || sl >= slot.Count || count < 0 {
		c.Error(ErrClusterGetKeysSlot)
		return
	}
	c.awaitSlotDropped(int(sl))
	keys := c.Tx.SlotKeyNames(int(sl), int(min(count, int64(1)<<30)))
	c.W.ArrayLen(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}
