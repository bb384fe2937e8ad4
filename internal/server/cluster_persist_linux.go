//go:build linux

package server

import (
	"runtime"
	"syscall"
	"unsafe"
)

// renameExchange atomically exchanges the names from and to
// (renameat2(2) with RENAME_EXCHANGE, Linux 3.15+). It returns
// errNoExchange where that is not supported.
func renameExchange(from, to string) error {
	trap, ok := renameat2Trap()
	if !ok {
		return errNoExchange
	}
	p0, err := syscall.BytePtrFromString(from)
	if err != nil {
		return err
	}
	p1, err := syscall.BytePtrFromString(to)
	if err != nil {
		return err
	}
	cwd := -100 // AT_FDCWD
	const renameExchangeFlag = 2
	_, _, errno := syscall.Syscall6(trap, uintptr(cwd), uintptr(unsafe.Pointer(p0)),
		uintptr(cwd), uintptr(unsafe.Pointer(p1)), renameExchangeFlag, 0)
	runtime.KeepAlive(p0)
	runtime.KeepAlive(p1)
	if errno == 0 {
		return nil
	}
	if exchangeUnsupported(errno) {
		return errNoExchange
	}
	return errno
}

// renameat2Trap is the renameat2 system call number; the syscall package
// does not define it on every architecture.
func renameat2Trap() (uintptr, bool) {
	switch runtime.GOARCH {
	case "amd64":
		return 316, true
	case "arm64", "riscv64", "loong64":
		return 276, true
	case "386":
		return 353, true
	case "arm":
		return 382, true
	case "ppc64", "ppc64le":
		return 357, true
	case "s390x":
		return 347, true
	}
	return 0, false
}
