// Package scan finds leaked Twilio and SendGrid credentials in files, archive
// members, git blobs and streams.
//
// The engine: a Scanner reads the Items of a Source with a bounded pool of
// workers (Options.Concurrency). Each item is streamed in chunks
// (Options.ChunkSize, 1 MiB by default) with a context margin on both sides,
// so a SID and its token split by a read boundary are still paired, and a
// large file is never held whole. Content with a NUL byte in its first 8 KiB
// is skipped as binary unless Item.Text says otherwise; UTF-16 text with a
// byte-order mark is decoded to UTF-8 and scanned.
//
// The detectors (rules, see Rules and docs/detectors.md):
//
//   - twilio-auth-token: an Account SID (AC + 32 lowercase hex) paired with a
//     32-hex auth token by structure (SID:token in URL userinfo, curl -u and
//     HTTP Basic headers, which are base64-decoded; literal positional
//     arguments) or by the token's key name (auth_token, TWILIO_AUTH_TOKEN,
//     token, secret, password …) near the SID, unless another section or
//     service is clearly meant;
//   - twilio-api-key: an API key SID (SK + 32 hex) with its 32-alphanumeric
//     secret, by the same rules;
//   - twilio-account-sid: an Account SID with no credential beside it;
//   - sendgrid-api-key: SG. + 22 + . + 43 characters.
//
// Speed: a literal prefilter (one vector pass, prefilter_amd64.s, marking
// the first letters of "AC", "SK", "SG.", the base64 prefixes
// "QUM"/"QUN"/"U0s"/"U0t" and the k of "token") skips most bytes; character classes and context
// rules run only around confirmed anchors, every backward search is bounded,
// and line/column are computed only for findings. No regular expression runs
// at all. See docs/benchmarks.md ("Scan engine").
//
// Placeholders (ACxxxx…, all zeros, your_auth_token, sequential or repeated
// example values) are dropped unless Options.IncludePlaceholders. A line
// containing "atoguard:allow" suppresses findings anchored on it.
//
// Findings are atoguard.Finding values: Secret holds the credential (it
// redacts itself), Fingerprint identifies it (of the SID for a bare SID).
// Use Scanner.Scan for sources and Scanner.ScanBytes for one document.
package scan
