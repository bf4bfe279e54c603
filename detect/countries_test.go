package detect

import (
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
)

func TestParseCountries(t *testing.T) {
	got, err := ParseCountries("respond", "--allow-countries", []string{"us, ca", "GB", "US", " ", "xk"})
	if err != nil || strings.Join(got, ",") != "CA,GB,US,XK" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"USA", "XX", "UK", "U", "001", "U1", "ÜS", "ZZ"} {
		_, err := ParseCountries("respond", "--allow-countries", []string{"CA," + bad})
		if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "--allow-countries") || !strings.Contains(err.Error(), "ISO 3166-1 alpha-2") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	if _, err := ParseCountries("audit", "--allow-countries", []string{"UK"}); !strings.Contains(err.Error(), "did you mean GB") {
		t.Errorf("UK: %v", err)
	}
	if got, err := ParseCountries("audit", "x", nil); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
}
