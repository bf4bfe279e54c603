//go:build !unix

package phish

func cpuSeconds() float64 { return 0 }
