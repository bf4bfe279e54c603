package phish

import (
	"strings"
	"testing"
)

// A wrong brand file says where and what in JSON terms, never Go's types.
func TestLoadBrandsErrorsForPeople(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"brands":{"name":"x"}}`, `line 1: "brands" is a JSON object, want a list`},
		{"{\"brands\":[\n{\"name\":\"x\",\n\"domains\":\"x.com\"}]}", `line 3: "brands.domains" is a JSON string, want a list`},
		{`{"brands":[`, "the JSON ends early"},
		{``, "empty file"},
		{`{"brandz":[]}`, `unknown field "brandz"`},
		{"{\n\"brands\": [,]}", "line 2: not valid JSON"},
	} {
		_, err := LoadBrands(strings.NewReader(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `the format is {"brands":[`) {
			t.Errorf("%q: got %v, want %q", tc.doc, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "phish.Brand") || strings.Contains(err.Error(), "[]string")) {
			t.Errorf("%q: Go internals in %v", tc.doc, err)
		}
	}
}
