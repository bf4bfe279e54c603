//go:build !amd64

package scan

// anchorMasks is the portable form of the vector loop in
// prefilter_amd64.s.
func anchorMasks(buf []byte, masks []uint32) {
	anchorMasksGeneric(buf, masks)
}
