package scan_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/atoguard/atoguard/scan"
)

// memSource is a Source over in-memory files.
type memSource map[string]string

func (m memSource) Items(ctx context.Context, yield func(scan.Item) error) error {
	for path, content := range m {
		err := yield(scan.Item{Path: path, Size: int64(len(content)), Open: func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(content)), nil
		}})
		if err != nil {
			return err
		}
	}
	return nil
}

func ExampleScanner_Scan() {
	src := memSource{
		"app/.env": "TWILIO_ACCOUNT_SID=AC1b3f0bddbb6887d68d8454e66c749c6a\n" +
			"TWILIO_AUTH_TOKEN=daf7b3d34b9787f1212316eea62ba186\n",
		"docs/setup.md": "Use your own: ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX / your_auth_token\n",
	}
	res, err := scan.New(scan.Options{}).Scan(context.Background(), src)
	if err != nil {
		panic(err)
	}
	for _, f := range res.Findings {
		// The secret prints redacted; the fingerprint identifies it.
		fmt.Printf("%s:%d:%d %s %s %v %s\n", f.Path, f.Line, f.Column, f.Rule, f.AccountSID, f.Secret, f.Fingerprint)
	}
	fmt.Println(res.Stats.Files, "files")
	// Output:
	// app/.env:2:19 twilio-auth-token AC1b3f0bddbb6887d68d8454e66c749c6a <redacted> 9ed0caab0482
	// 2 files
}
