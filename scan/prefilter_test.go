package scan

import (
	"math/rand/v2"
	"testing"
)

// The vector prefilter marks exactly the bytes the portable loop marks,
// for every byte value in every lane.
func TestAnchorMasksMatchGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 4096+17)
	for round := range 64 {
		for i := range buf {
			if round%2 == 0 {
				buf[i] = byte(r.IntN(256))
			} else {
				buf[i] = "ASQUkKaskqu01 "[r.IntN(14)]
			}
		}
		got := make([]uint32, len(buf)/32)
		want := make([]uint32, len(buf)/32)
		anchorMasks(buf, got)
		anchorMasksGeneric(buf, want)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("round %d chunk %d: mask %032b, want %032b", round, i, got[i], want[i])
			}
		}
	}
}
