package command

func keyCommands() []*Command { return nil }
