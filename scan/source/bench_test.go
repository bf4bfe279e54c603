//go:build unix

package source

import (
	"bufio"
	"bytes"
	"context"
	"github.com/atoguard/atoguard/internal/testsupport"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/atoguard/atoguard/internal/testgen"
	"github.com/atoguard/atoguard/scan"
)

// Benchmark sizes come from the environment so `make bench` can be quick:
//
//	ATOGUARD_BENCH_DIR_MB       size of the generated source tree (default 256)
//	ATOGUARD_BENCH_GIT_COMMITS  commits in the generated repository (default 10000)
//	ATOGUARD_BENCH_GIT_FILE_KB  average file size in that repository (default 10)
//	ATOGUARD_BENCH_CATFILES     git cat-file processes for history (default 2)
//	ATOGUARD_BENCH_GIT_REPO     scan this repository instead of a generated one
//	ATOGUARD_BENCH_DIR          scan this directory instead of the generated tree
//
// Generated inputs are cached under $TMPDIR (atoguard-testgen-*), so only the
// first run pays for generating them.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func benchTree(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("ATOGUARD_BENCH_DIR"); dir != "" {
		return dir
	}
	mb := envInt("ATOGUARD_BENCH_DIR_MB", 256)
	dir, err := testgen.CachedTree(testgen.TreeOptions{Bytes: int64(mb) << 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

func benchRepo(b *testing.B) (string, testgen.HistoryStats) {
	b.Helper()
	if dir := os.Getenv("ATOGUARD_BENCH_GIT_REPO"); dir != "" {
		return dir, testgen.HistoryStats{}
	}
	dir, st, err := testgen.CachedHistory(testgen.HistoryOptions{
		Commits:   envInt("ATOGUARD_BENCH_GIT_COMMITS", 10000),
		FileBytes: envInt("ATOGUARD_BENCH_GIT_FILE_KB", 10) << 10,
		Seed:      1,
	})
	if err != nil {
		b.Fatal(err)
	}
	return dir, st
}

// cpuTime is user+system time of this process and its waited-for children (git).
func cpuTime() time.Duration { return testsupport.CPUTime() + testsupport.ChildrenCPUTime() }

// peakRSS reports the process's high-water resident set (VmHWM) in MB.
func peakRSS(b *testing.B) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Bytes(); bytes.HasPrefix(line, []byte("VmHWM:")) {
			kb, _ := strconv.Atoi(string(bytes.Fields(line)[1]))
			b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
		}
	}
}

// scanBench runs the whole engine over src; throughput is bytes scanned.
func scanBench(b *testing.B, src func() scan.Source) {
	s := scan.New(scan.Options{})
	res, err := s.Scan(context.Background(), src()) // warm the page cache, learn the size
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(res.Stats.Bytes)
	c0, s0 := cpuTime(), testsupport.CPUTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Scan(context.Background(), src()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU seconds of this process and of git's, per byte: on a shared machine
	// the honest measure of cost (2 idle cores give at most 2 × this).
	if cpu := (cpuTime() - c0).Seconds(); cpu > 0 {
		self := (testsupport.CPUTime() - s0).Seconds()
		b.ReportMetric(float64(res.Stats.Bytes)*float64(b.N)/cpu/1e6, "cpuMB/s")
		b.ReportMetric(self/float64(b.N), "self-cpu-s/op")
		b.ReportMetric((cpu-self)/float64(b.N), "git-cpu-s/op")
	}
	b.ReportMetric(float64(len(res.Findings)), "findings")
	peakRSS(b)
}

// BenchmarkScanDir is the directory-scan target: ≥ 400 MB/s on ≥ 200 MB.
func BenchmarkScanDir(b *testing.B) {
	dir := benchTree(b)
	scanBench(b, func() scan.Source { return NewPaths([]string{dir}, Options{}) })
}

// BenchmarkScanHistory is the git-history target: ≥ 230 MB/s of unique blob
// bytes on ≥ 10,000 commits.
func BenchmarkScanHistory(b *testing.B) {
	dir, st := benchRepo(b)
	b.ReportMetric(float64(st.Commits), "commits")
	opts := GitOptions{CatFiles: envInt("ATOGUARD_BENCH_CATFILES", 0)}
	scanBench(b, func() scan.Source { return NewHistory(dir, opts) })
}

// drain reads every item without detectors: the source's own cost.
func drain(b *testing.B, src func() scan.Source) {
	var n int64
	buf := make([]byte, 1<<20)
	read := func(it scan.Item) error {
		rc, err := it.Open()
		if err != nil {
			return err
		}
		m, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{rc}, buf)
		rc.Close()
		n += m
		return err
	}
	if err := src().Items(context.Background(), read); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		if err := src().Items(context.Background(), read); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSourceDir is the walk alone (open, sniff, read), no detectors.
func BenchmarkSourceDir(b *testing.B) {
	dir := benchTree(b)
	drain(b, func() scan.Source { return NewPaths([]string{dir}, Options{}) })
}

// BenchmarkSourceHistory is git log + cat-file alone, no detectors.
func BenchmarkSourceHistory(b *testing.B) {
	dir, _ := benchRepo(b)
	drain(b, func() scan.Source { return NewHistory(dir, GitOptions{}) })
}
