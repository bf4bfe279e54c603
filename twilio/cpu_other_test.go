//go:build !unix

package twilio

import "time"

func processCPU() time.Duration { return 0 }
