package command

func zsetCommands() []*Command { return nil }
