package audit

// Fixtures for the rendering tests of package audit_test (report renders
// audit results; report imports audit, so those tests sit outside).
var (
	Clean   = clean
	Now     = now
	MainSID = mainSID
)
