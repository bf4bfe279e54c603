package cli

import (
	"errors"
	"os"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/playbook"
)

// defaultRespondJournal is where `respond apply` journals by default.
const defaultRespondJournal = "atoguard-respond.journal"

// readRespondJournal reads respond's journal (before collection, so a bad
// --respond-journal fails at once); useJournal puts it into the dataset, so
// its changes are atoguard's own and not an attacker's. Named with --respond-journal, the
// file must be a journal; the default is read only when it exists and is one
// (a stray file by that name is no reason to refuse an investigation).
func readRespondJournal(path string) (*playbook.Journal, error) {
	explicit := path != ""
	if !explicit {
		path = defaultRespondJournal
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "investigate", "--respond-journal: %v", err)
	}
	j, err := playbook.ReadJournal(path)
	if err != nil {
		if explicit {
			return nil, atoguard.Errorf(atoguard.EINVALID, "investigate", "--respond-journal: %v", err)
		}
		return nil, nil
	}
	return j, nil
}

func useJournal(ds *detect.Dataset, j *playbook.Journal, cred atoguard.Credential) {
	if j != nil {
		ds.Respond, ds.RespondJournal, ds.Credential = j.Runs(), j.Path(), cred.Username()
	}
}
