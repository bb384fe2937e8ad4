package command

func setCommands() []*Command { return nil }
