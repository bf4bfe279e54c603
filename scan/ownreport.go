package scan

import (
	"bytes"
	"slices"
)

// OwnReport recognises a report atoguard itself wrote, from its first bytes
// (a file's first 32 KiB is plenty): the JSON and SARIF reports of scan,
// the JSON and Markdown of investigate, respond (plan, apply summary,
// incident report) and audit. It returns what the report is ("" for
// anything else). Such a report holds the SIDs and fingerprints it reports,
// so scanning it would report them again: `scan . --json -o leaks.json`
// then `scan .` must not find leaks.json. Every writer's output is checked
// against this in its package's tests, so a change of layout is caught.
func OwnReport(head []byte) string {
	if len(head) == 0 {
		return ""
	}
	switch head[0] {
	case '#':
		return ownMarkdown(head)
	case '{':
		return ownJSON(head)
	}
	return ""
}

func ownMarkdown(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("# Account takeover investigation: ")):
		return "investigate report (Markdown)"
	case bytes.HasPrefix(head, []byte("# Incident report: Twilio account ")) && bytes.Contains(head, []byte(" by atoguard.")):
		return "respond incident report (Markdown)"
	case bytes.HasPrefix(head, []byte("# atoguard audit\n")):
		return "audit report (Markdown)"
	}
	return ""
}

// ownJSON matches the top-level keys of atoguard's indented JSON (two
// spaces, as every command writes it) seen in head.
func ownJSON(head []byte) string {
	if !bytes.HasPrefix(head, []byte("{\n  \"")) {
		return ""
	}
	keys := topKeys(head)
	if len(keys) == 0 {
		return ""
	}
	has := func(k ...string) bool {
		for _, x := range k {
			if !slices.Contains(keys, x) {
				return false
			}
		}
		return true
	}
	first := keys[0]
	switch {
	case has("$schema", "runs") && bytes.Contains(head, []byte(`"informationUri": "https://github.com/atoguard/atoguard"`)):
		return "scan report (SARIF)"
	case first == "findings" && (has("skipped") || has("stats") || bytes.Contains(head, []byte("\n      \"verification\": \""))):
		return "scan report (JSON)"
	case has("verdict", "score", "reasons"):
		return "investigate report (JSON)"
	case first == "score" && has("accounts"):
		return "audit report (JSON)"
	case first == "generated_at" && has("account_sid"):
		return "respond incident report (JSON)"
	case first == "created_at" && has("main_account"):
		return "respond plan (JSON)"
	case first == "run" && has("changed", "failed"):
		return "respond apply summary (JSON)"
	}
	return ""
}

// topKeys lists the keys at the top level of indented JSON: lines that
// start with exactly two spaces and a quote.
func topKeys(head []byte) []string {
	var keys []string
	for line := range bytes.Lines(head) {
		if len(line) < 4 || line[0] != ' ' || line[1] != ' ' || line[2] != '"' {
			continue
		}
		end := bytes.IndexByte(line[3:], '"')
		if end < 0 {
			continue
		}
		keys = append(keys, string(line[3:3+end]))
		if len(keys) == 16 {
			break
		}
	}
	return keys
}
