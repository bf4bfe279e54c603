package playbook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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

// journalHeader is the first line of every journal: the mark by which
// OpenJournal tells a journal it wrote from any other file, which it must
// never truncate or append to. It is JSON, so the file stays JSON lines.
const journalHeader = "{\"atoguard\":\"respond-journal\",\"version\":1}\n"

// minTornHeader is how much of the header a file must hold to count as a
// journal whose creation was cut short (a crash during the header's write):
// enough that no ordinary file looks like one.
const minTornHeader = len(`{"atoguard":`)

// OpenJournal opens (creating if needed) the journal at path and reads its
// records. A torn last line (the process died mid-write) is cut off. A file
// that is not a journal — no header — is refused and left untouched.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "journal.open", "%v", err)
	}
	j, err := openLocked(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// openLocked locks f, checks it is a journal (or empty, or a journal whose
// header write was torn, which gets its header), reads its records and
// cuts a torn tail.
func openLocked(f *os.File, path string) (*Journal, error) {
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, atoguard.Errorf(atoguard.EINVALID, "journal.open", "%s is not a regular file (--journal)", path)
	}
	if err := lockFile(f); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINTERNAL, "journal.read", "%v", err)
	}
	body, fresh, err := journalBody(path, data)
	if err != nil {
		return nil, err
	}
	j := &Journal{f: f, path: path, now: time.Now}
	recs, good, err := parseJournal(path, body)
	if err != nil {
		return nil, err
	}
	j.records = recs
	switch {
	case fresh:
		err = writeHeader(f)
	case good < len(body):
		err = f.Truncate(int64(len(journalHeader) + good))
	}
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINTERNAL, "journal.repair", "%v", err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return nil, atoguard.Errorf(atoguard.EINTERNAL, "journal.open", "%v", err)
	}
	return j, nil
}

// journalBody returns the records part of a journal file. fresh means the
// file holds no journal yet (empty, or a torn header) and needs its header.
// Anything else without the header is not a journal: an error.
func journalBody(path string, data []byte) (body []byte, fresh bool, err error) {
	switch {
	case bytes.HasPrefix(data, []byte(journalHeader)):
		return data[len(journalHeader):], false, nil
	case len(data) == 0, len(data) >= minTornHeader && len(data) < len(journalHeader) && strings.HasPrefix(journalHeader, string(data)):
		return nil, true, nil
	}
	return nil, false, atoguard.Errorf(atoguard.EINVALID, "journal.open",
		"%s is not an atoguard respond journal (its first line is not the journal header); it was left untouched — name a new file or an existing journal with --journal", path)
}

// writeHeader starts an empty (or torn-header) file as a journal, durably.
func writeHeader(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(journalHeader), 0); err != nil {
		return err
	}
	return f.Sync()
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
			return nil, 0, atoguard.Errorf(atoguard.EINVALID, "journal.read", "%s: corrupt record at byte %d: %v", path, len(journalHeader)+good, err)
		}
		recs = append(recs, r)
		good += len(line)
	}
	return recs, good, nil
}

// ReadJournal reads the journal at path without locking or repairing it (a
// missing or empty file is an empty journal): plan and report consult it
// while an apply may hold it. Append on the result fails. A file that is not
// a journal is an error.
func ReadJournal(path string) (*Journal, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Journal{path: path, now: time.Now}, nil
	}
	if err == nil && !st.Mode().IsRegular() {
		return nil, atoguard.Errorf(atoguard.EINVALID, "journal.read", "%s is not a regular file (--journal)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "journal.read", "%v", err)
	}
	body, _, err := journalBody(path, data)
	if err != nil {
		return nil, err
	}
	recs, _, err := parseJournal(path, body)
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
