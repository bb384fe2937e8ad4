//go:build !linux

package command

import "runtime"

func osDescription() string { return runtime.GOOS + " " + runtime.GOARCH }

func processRSS() int64 { return 0 }

func totalSystemMemory() int64 { return 0 }
