package emulator

func moreRoutes() []*route { return nil }
