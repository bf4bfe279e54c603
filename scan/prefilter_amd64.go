package scan

// anchorMasks is in prefilter_amd64.s.
//
//go:noescape
func anchorMasks(buf []byte, masks []uint32)
