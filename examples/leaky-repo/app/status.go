package app

// statusAccount is the account whose status page we link to.
const statusAccount = "AC1b3f0bddbb6887d68d8454e66c749c6a"

// StatusPage is the link shown in the footer. Using the constant keeps the
// example compiling cleanly (and lint-clean) while the SID stays planted.
func StatusPage() string {
	return "https://status.example.com/accounts/" + statusAccount
}
