// Package testsupport holds the few helpers tests in several packages
// share: whether the race detector is on, and the process's CPU time (the
// fairer measure in benchmarks when other builds share the machine).
package testsupport
