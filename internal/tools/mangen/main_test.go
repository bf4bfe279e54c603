package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWritesAPagePerCommand(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"atoguard.1", "atoguard-scan.1", "atoguard-respond-apply.1", "atoguard-completion-bash.1"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(string(data), ".SH NAME") || !strings.Contains(string(data), ".SH SYNOPSIS") {
			t.Errorf("%s is not a man page:\n%.300s", name, data)
		}
	}
	scan, _ := os.ReadFile(filepath.Join(dir, "atoguard-scan.1"))
	if !strings.Contains(string(scan), "--since-commit") {
		t.Errorf("scan page lacks its flags:\n%.600s", scan)
	}
}
