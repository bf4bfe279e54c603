//go:build unix

package source

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/scan"
)

// BenchmarkScanHistoryCached is the incremental history scan (--cache) on
// the benchmark repository: "unchanged" re-scans with the cache a full scan
// wrote; "new-100" scans with a cache written 100 commits earlier (from a
// clone sharing the objects, its main 100 commits back). Reported: CPU
// seconds (atoguard and git) of the full scan and of each re-scan, and the
// ratio in percent.
func BenchmarkScanHistoryCached(b *testing.B) {
	dir, _ := benchRepo(b)
	full, fullCPU := cachedBenchScan(b, dir, filepath.Join(b.TempDir(), "full.cache"))
	b.Run("unchanged", func(b *testing.B) {
		file := filepath.Join(b.TempDir(), "cache")
		cachedBenchScan(b, dir, file)
		rescanBench(b, dir, file, "", full, fullCPU)
	})
	b.Run("new-100", func(b *testing.B) {
		// The same objects, one ref: main as it was 100 commits ago.
		old := filepath.Join(b.TempDir(), "old.git")
		if out, err := exec.Command("git", "clone", "-q", "--bare", "--shared", dir, old).CombinedOutput(); err != nil {
			b.Fatal(err, string(out))
		}
		back, err := exec.Command("git", "-C", old, "rev-parse", "HEAD~100").Output()
		if err != nil {
			b.Fatal(err)
		}
		refs, err := exec.Command("git", "-C", old, "for-each-ref", "--format=delete %(refname)").Output()
		if err != nil {
			b.Fatal(err)
		}
		del := exec.Command("git", "-C", old, "update-ref", "--no-deref", "--stdin")
		del.Stdin = strings.NewReader(string(refs))
		if out, err := del.CombinedOutput(); err != nil {
			b.Fatal(err, string(out))
		}
		gitIn(b, old, "update-ref", "refs/heads/main", strings.TrimSpace(string(back)))
		gitIn(b, old, "symbolic-ref", "HEAD", "refs/heads/main")
		seed := filepath.Join(b.TempDir(), "seed")
		cachedBenchScan(b, old, seed)
		rescanBench(b, dir, filepath.Join(b.TempDir(), "cache"), seed, full, fullCPU)
	})
}

func gitIn(b *testing.B, dir string, args ...string) {
	if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
		b.Fatal(args, err, string(out))
	}
}

// rescanBench times scans with file, copied from seed first when set.
func rescanBench(b *testing.B, dir, file, seed string, full scan.Result, fullCPU float64) {
	var cpu float64
	var res scan.Result
	for b.Loop() {
		if seed != "" {
			data, err := os.ReadFile(seed)
			if err != nil || os.WriteFile(file, data, 0o644) != nil {
				b.Fatal(err)
			}
		}
		var c float64
		res, c = cachedBenchScan(b, dir, file)
		cpu += c
	}
	if len(res.Findings) != len(full.Findings) {
		b.Fatalf("re-scan: %d findings, full scan %d", len(res.Findings), len(full.Findings))
	}
	b.ReportMetric(fullCPU, "full-cpu-s")
	b.ReportMetric(cpu/float64(b.N), "rescan-cpu-s")
	b.ReportMetric(100*cpu/float64(b.N)/fullCPU, "rescan-%")
	b.ReportMetric(float64(res.Stats.Blobs), "blobs-read")
}

// cachedBenchScan is one scan --history --cache; it returns the result and
// the CPU seconds it took, git's included.
func cachedBenchScan(b *testing.B, dir, file string) (scan.Result, float64) {
	c0 := cpuTime()
	c := OpenHistoryCache(file, "bench", nil)
	res, err := scan.New(scan.Options{ItemDone: c.Done}).Run(context.Background(),
		scan.Job{History: true, Source: NewHistory(dir, GitOptions{Cache: c})})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Save(); err != nil {
		b.Fatal(err)
	}
	return res, (cpuTime() - c0).Seconds()
}
