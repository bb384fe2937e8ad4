package command

import (
	"fmt"

	"github.com/shoal-db/shoal/internal/migration"
)

// Atomic slot migration errors (spec §1.2, §1.3, §1.5), byte-exact.
const (
	ErrMigrateNoEndSlot     = "ERR No end slot for final slot range"
	ErrMigrateBadSlot       = "ERR Invalid or out of range slot"
	ErrMigrateNoRanges      = "ERR No slot ranges specified"
	ErrMigrateSpansShards   = "ERR Requested slots span multiple shards"
	ErrMigrateOverlapJobs   = "ERR Slot ranges in migrations overlap"
	ErrMigrateOnReplica     = "ERR Slot migration can only be used on primary nodes."
	ErrMigrateNotServed     = "ERR Slots are not served by this node."
	ErrMigrateTargetIsMe    = "ERR Target node can not be this node."
	ErrMigrateManualMigrate = "ERR Slots are being manually migrated"
	ErrMigrateManualImport  = "ERR Slots are being manually imported"
	ErrMigrateNoneOngoing   = "ERR No migrations ongoing"
	ErrSyncSlotsNoSource    = "ERR Target node does not know the source node"
	ErrSyncSlotsSourceIsMe  = "ERR Source node is target node itself"
	ErrSyncSlotsDisagree    = "ERR Target node does not agree about current slot ownership"
	ErrSyncSlotsImporting   = "ERR Slot is already being imported on the target by a different migration"
	ErrSyncSlotsNoSuchJob   = "ERR No such slot migration job"
	ErrSetSlotImportActive  = "ERR Slot import in progress"
	ErrSetSlotExportActive  = "ERR Slot export in progress"
)

// ErrMigrateStartGreater is the start > end refusal.
func ErrMigrateStartGreater(start, end int) string {
	return fmt.Sprintf("ERR Start slot number %d is greater than end slot number %d.", start, end)
}

// ErrMigrateRangeOverlap is an overlap inside one SLOTSRANGE block.
func ErrMigrateRangeOverlap(s, e, ps, pe int) string {
	return fmt.Sprintf("ERR Slot range %d-%d overlaps with previous range %d-%d.", s, e, ps, pe)
}

// ErrMigrateInvalidNode is a node id that is not 40 characters.
func ErrMigrateInvalidNode(id string) string { return "ERR Invalid node name: " + id }

// ErrMigrateUnknownNode is a well-formed id nobody knows.
func ErrMigrateUnknownNode(id string) string { return "ERR Unknown node name: " + id }

// ErrMigrateUnassigned is a slot without an owner.
func ErrMigrateUnassigned(s int) string { return fmt.Sprintf("ERR Slot %d has no node served.", s) }

// ErrSyncSlotsLinkOnly refuses a link-only SYNCSLOTS message from a client.
func ErrSyncSlotsLinkOnly(sub string) string {
	return fmt.Sprintf("ERR CLUSTER SYNCSLOTS %s should only be used by slot migration clients", sub)
}

// migrationErrorText words a refusal of the migration manager.
func migrationErrorText(err error) string {
	me, ok := err.(*migration.Error)
	if !ok {
		return "ERR " + err.Error()
	}
	switch me.Code {
	case migration.ErrAlreadyMigrating:
		return fmt.Sprintf("ERR I am already migrating slot %d.", me.Slot)
	case migration.ErrManuallyMigrating:
		return ErrMigrateManualMigrate
	case migration.ErrManuallyImporting:
		return ErrMigrateManualImport
	case migration.ErrNoMigrations:
		return ErrMigrateNoneOngoing
	case migration.ErrAlreadyImporting:
		return ErrSyncSlotsImporting
	case migration.ErrSourceUnknown:
		return ErrSyncSlotsNoSource
	case migration.ErrSourceIsMe:
		return ErrSyncSlotsSourceIsMe
	case migration.ErrOwnershipDisagree:
		return ErrSyncSlotsDisagree
	case migration.ErrNotPrimary:
		return ErrMigrateOnReplica
	case migration.ErrNoSuchJob:
		return ErrSyncSlotsNoSuchJob
	case migration.ErrNoRoom:
		return fmt.Sprintf("ERR Target node does not have enough memory for the slots: they need %d bytes, maxmemory leaves %d", me.Need, max(me.Free, 0))
	}
	return "ERR " + err.Error()
}
