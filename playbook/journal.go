package playbook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Journal events.
const (
	EventRunStart = "run-start"
	EventRunEnd   = "run-end"
	EventIntent   = "intent" // about to act
	EventDone     = "done"   // acted (or found it already done)
	EventFailed   = "failed"
	EventManual   = "manual" // the API refused; checklist
	EventSkipped  = "skipped"
)

// Rotation phases recorded in the journal (Record.Phase).
const (
	PhaseSecondaryCreated = "secondary-created"
	PhaseStored           = "stored"
	PhasePromoted         = "promoted"
	PhaseVerified         = "verified"
)

// Record is one journal line. It never holds a secret: tokens appear only as
// fingerprints.
type Record struct {
	Seq         int                        `json:"seq"`
	Time        time.Time                  `json:"time"`
	Run         string                     `json:"run"`
	Event       string                     `json:"event"`
	Phase       string                     `json:"phase,omitempty"`
	Fingerprint string                     `json:"fingerprint,omitempty"` // of the new token (rotation)
	Previous    string                     `json:"previous,omitempty"`    // fingerprint of the token it replaces
	Action      atoguard.Action            `json:"action,omitzero"`
	Credential  *atoguard.CredentialRecord `json:"credential,omitempty"`
}

// Journal is an append-only JSON-lines file; every append is fsynced before
// it returns, so after a crash the file says what was intended and what was
// done up to the last completed write.
type Journal struct {
	mu      sync.Mutex
	syncMu  sync.Mutex // serialises fsyncs; synced is the last record known on disk
	synced  int
	f       *os.File
	path    string
	records []Record
	after   func(int)
	now     func() time.Time
}

// OpenJournal opens (creating if needed) the journal at path and reads its
// records. A torn last line (the process died mid-write) is cut off.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "journal.open", "%v", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, atoguard.Errorf(atoguard.EINTERNAL, "journal.read", "%v", err)
	}
	j := &Journal{f: f, path: path, now: time.Now}
	recs, good, err := parseJournal(path, data)
	if err != nil {
		f.Close()
		return nil, err
	}
	j.records = recs
	if good < len(data) {
		if err := f.Truncate(int64(good)); err != nil {
			f.Close()
			return nil, atoguard.Errorf(atoguard.EINTERNAL, "journal.repair", "%v", err)
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, atoguard.Errorf(atoguard.EINTERNAL, "journal.open", "%v", err)
	}
	return j, nil
}

// parseJournal reads whole records; good is the length of the valid prefix.
// Complete lines end in '\n'; anything after the last one is a torn write,
// and so is an unparsable last complete line.
func parseJournal(path string, data []byte) (recs []Record, good int, err error) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, line := range lines {
		if len(line) == 0 || line[len(line)-1] != '\n' {
			break
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			if i >= len(lines)-2 {
				break
			}
			return nil, 0, atoguard.Errorf(atoguard.EINVALID, "journal.read", "%s: corrupt record at byte %d: %v", path, good, err)
		}
		recs = append(recs, r)
		good += len(line)
	}
	return recs, good, nil
}

// ReadJournal reads the journal at path without locking or repairing it (a
// missing file is an empty journal): plan and report consult it while an
// apply may hold it. Append on the result fails.
func ReadJournal(path string) (*Journal, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Journal{path: path, now: time.Now}, nil
	}
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "journal.read", "%v", err)
	}
	recs, _, err := parseJournal(path, data)
	if err != nil {
		return nil, err
	}
	return &Journal{path: path, now: time.Now, records: recs}, nil
}

// Path is where the journal lives.
func (j *Journal) Path() string { return j.path }

// SetHook sets a function called after every append with the record count.
func (j *Journal) SetHook(f func(int)) { j.mu.Lock(); j.after = f; j.mu.Unlock() }

// Append writes r durably, filling Seq and Time. Concurrent appends share
// fsyncs (group commit): each returns only after an fsync that began after
// its own write, so every returned record is on disk.
func (j *Journal) Append(r Record) error {
	if j.f == nil {
		return atoguard.Errorf(atoguard.EINTERNAL, "journal.append", "%s was opened read-only", j.path)
	}
	j.mu.Lock()
	r.Seq = len(j.records) + 1
	if r.Time.IsZero() {
		r.Time = j.now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		j.mu.Unlock()
		return atoguard.Errorf(atoguard.EINTERNAL, "journal.append", "%v", err)
	}
	line = append(line, '\n')
	if _, err := j.f.Write(line); err != nil {
		j.mu.Unlock()
		return atoguard.Errorf(atoguard.EINTERNAL, "journal.append", "%v", err)
	}
	j.records = append(j.records, r)
	seq, after := r.Seq, j.after
	j.mu.Unlock()

	j.syncMu.Lock()
	if j.synced < seq {
		j.mu.Lock()
		written := len(j.records) // everything written so far is covered by this fsync
		j.mu.Unlock()
		if err := j.f.Sync(); err != nil {
			j.syncMu.Unlock()
			return atoguard.Errorf(atoguard.EINTERNAL, "journal.sync", "%v", err)
		}
		j.synced = written
	}
	j.syncMu.Unlock()
	if after != nil {
		after(seq)
	}
	return nil
}

// Records returns a copy of every record so far.
func (j *Journal) Records() []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.records...)
}

// Close closes the file.
func (j *Journal) Close() error {
	if j == nil || j.f == nil {
		return nil
	}
	return j.f.Close()
}

// rotationDone reports whether the journal shows a verified rotation of
// account to a token with fingerprint fp at or after since.
func (j *Journal) rotationDone(account, fp string, since time.Time) bool {
	return j.any(func(r *Record) bool {
		return r.Phase == PhaseVerified && r.Action.AccountSID == account && r.Fingerprint == fp && !r.Time.Before(since)
	})
}

// any reports whether some record satisfies f, without copying the journal
// (it is consulted once per account; copying would be quadratic).
func (j *Journal) any(f func(r *Record) bool) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range j.records {
		if f(&j.records[i]) {
			return true
		}
	}
	return false
}

// LastRun returns the id of the last run and whether it ended.
func (j *Journal) LastRun() (id string, ended bool) {
	for _, r := range j.Records() {
		switch r.Event {
		case EventRunStart:
			id, ended = r.Run, false
		case EventRunEnd:
			if r.Run == id {
				ended = true
			}
		}
	}
	return id, ended
}

// Actions folds the journal into the latest state of every action (by ID),
// in first-seen order: what the report lists as changes made.
func (j *Journal) Actions() []atoguard.Action {
	idx := map[string]int{}
	var out []atoguard.Action
	for _, r := range j.Records() {
		if r.Action.ID == "" || r.Event == EventIntent {
			continue
		}
		a := r.Action
		a.Time = r.Time
		if i, ok := idx[a.ID]; ok {
			out[i] = a
			continue
		}
		idx[a.ID] = len(out)
		out = append(out, a)
	}
	return out
}

// Credentials lists where new tokens went, latest per account.
func (j *Journal) Credentials() []atoguard.CredentialRecord {
	idx := map[string]int{}
	var out []atoguard.CredentialRecord
	for _, r := range j.Records() {
		if r.Credential == nil {
			continue
		}
		c := *r.Credential
		if i, ok := idx[c.AccountSID]; ok {
			out[i] = c
			continue
		}
		idx[c.AccountSID] = len(out)
		out = append(out, c)
	}
	return out
}

// ErrJournalRequired is returned by Apply without a journal.
var ErrJournalRequired = errors.New("apply needs a journal")

func newRunID(now time.Time) string {
	return fmt.Sprintf("run-%s", now.UTC().Format("20060102T150405.000Z"))
}
