package emulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

func (c *call) accountJSON(a *account) map[string]any {
	uri := "/2010-04-01/Accounts/" + a.SID
	// The auth token is shown to the account itself and to its parent, when
	// the caller authenticated with an auth token (empty for API keys).
	var token any
	if c.p.key == nil && (a == c.p.acct || a.OwnerSID == c.p.acct.SID) {
		token = a.token
	} else {
		token = ""
	}
	return map[string]any{
		"auth_token":        token,
		"date_created":      fmt2822(a.DateCreated),
		"date_updated":      fmt2822(a.dateUpdated),
		"friendly_name":     a.FriendlyName,
		"owner_account_sid": a.OwnerSID,
		"sid":               a.SID,
		"status":            a.Status,
		"type":              a.Type,
		"subresource_uris": map[string]any{
			"messages":               uri + "/Messages.json",
			"calls":                  uri + "/Calls.json",
			"keys":                   uri + "/Keys.json",
			"incoming_phone_numbers": uri + "/IncomingPhoneNumbers.json",
			"applications":           uri + "/Applications.json",
			"outgoing_caller_ids":    uri + "/OutgoingCallerIds.json",
			"usage":                  uri + "/Usage.json",
		},
		"uri": uri + ".json",
	}
}

func marshalAll[T any](items []T, f func(T) any) [][]byte {
	out := make([][]byte, 0, len(items))
	for _, it := range items {
		b, _ := json.Marshal(f(it))
		out = append(out, b)
	}
	return out
}

// listAccounts: the caller's account and its subaccounts.
func (c *call) listAccounts() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	if st := c.v("Status"); st != "" && st != "active" && st != "suspended" && st != "closed" {
		c.badParam("Invalid Status: " + st)
		return
	}
	list := []*account{c.p.acct}
	if !c.p.acct.IsSubaccount() {
		list = append(list, c.st.subaccounts(c.p.acct)...)
	}
	list = slices.DeleteFunc(list, func(a *account) bool {
		return (c.has("FriendlyName") && a.FriendlyName != c.v("FriendlyName")) ||
			(c.v("Status") != "" && a.Status != c.v("Status"))
	})
	page, next := pageSlice(c, list, pr)
	c.write2010List("accounts", marshalAll(page, func(a *account) any { return c.accountJSON(a) }), pr, next)
}

func (c *call) fetchAccount() { c.json(http.StatusOK, c.accountJSON(c.acct)) }

// createSubaccount: only a main account creates subaccounts.
func (c *call) createSubaccount() {
	parent := c.p.acct
	if parent.IsSubaccount() {
		c.fail(http.StatusForbidden, 20403, "Subaccounts cannot create subaccounts")
		return
	}
	if parent.Status != "active" {
		c.fail(http.StatusBadRequest, 21476, "The parent account is not active")
		return
	}
	a := &account{
		Account: atoguard.Account{
			SID: c.st.newSID("AC"), OwnerSID: parent.SID, Status: "active", Type: parent.Type,
			FriendlyName: cmp.Or(c.v("FriendlyName"), "SubAccount Created at "+c.now.Format("2006-01-02 03:04 pm")),
			DateCreated:  c.now,
		},
		dateUpdated: c.now, tokenCreated: c.now, eventIndex: map[string]int{},
		voice: defaultVoicePerms(), sms: defaultSMSPerms(), voiceInherit: true,
	}
	a.token = c.st.newToken()
	a.msgs.strs = c.st.strs
	c.st.accounts[a.SID] = a
	c.st.order = append(c.st.order, a)
	c.record(parent, "account.created", a.SID, "account", "Subaccount created", nil)
	c.record(a, "account.created", a.SID, "account", "Subaccount created", nil)
	c.json(http.StatusCreated, c.accountJSON(a))
}

// updateAccount changes FriendlyName and Status (active, suspended, closed).
func (c *call) updateAccount() {
	a := c.acct
	data := map[string]any{}
	if c.has("Status") {
		st := c.v("Status")
		switch {
		case st != "active" && st != "suspended" && st != "closed":
			c.badParam("Invalid Status: " + st)
			return
		case !a.IsSubaccount() && st != "active":
			c.fail(http.StatusBadRequest, 20001, "The main account cannot be suspended or closed through the API")
			return
		case a.IsSubaccount() && a == c.p.acct:
			c.fail(http.StatusUnauthorized, 20003, "Authenticate")
			return
		case a.Status == "closed" && st != "closed":
			c.fail(http.StatusBadRequest, 21479, "A closed account cannot be reopened")
			return
		}
		if st != a.Status {
			data["status"] = change{a.Status, st}
			a.Status = st
			if st == "closed" {
				a.numbers = nil // closing releases the numbers
			}
		}
	}
	if c.has("FriendlyName") && c.v("FriendlyName") != a.FriendlyName {
		data["friendly_name"] = change{a.FriendlyName, c.v("FriendlyName")}
		a.FriendlyName = c.v("FriendlyName")
	}
	if len(data) > 0 {
		a.dateUpdated = c.now
		c.record(a, "account.updated", a.SID, "account", "Account updated", data)
		if a != c.p.acct {
			c.record(c.p.acct, "account.updated", a.SID, "account", "Subaccount updated", data)
		}
	}
	c.json(http.StatusOK, c.accountJSON(a))
}

// createSecondaryToken: accounts v1 POST /v1/AuthTokens/Secondary.
func (c *call) createSecondaryToken() {
	a := c.acct
	a.secondary, a.secondaryCreated = c.st.newToken(), c.now
	c.record(a, "account-auth-token.secondary-created", a.SID, "account-auth-token", "Secondary auth token created", nil)
	c.json(http.StatusCreated, map[string]any{
		"account_sid": a.SID, "secondary_auth_token": a.secondary,
		"date_created": fmtISO(c.now), "date_updated": fmtISO(c.now),
		"url": "https://accounts.twilio.com/v1/AuthTokens/Secondary",
	})
}

func (c *call) deleteSecondaryToken() {
	a := c.acct
	if a.secondary == "" {
		c.notFound()
		return
	}
	a.secondary = ""
	c.record(a, "account-auth-token.secondary-deleted", a.SID, "account-auth-token", "Secondary auth token deleted", nil)
	c.noContent()
}

// promoteToken makes the secondary token primary; the old primary fails at once.
func (c *call) promoteToken() {
	a := c.acct
	if a.secondary == "" {
		c.fail(http.StatusNotFound, 20404, "No secondary auth token to promote")
		return
	}
	a.token, a.secondary, a.tokenCreated = a.secondary, "", c.now
	c.record(a, "account-auth-token.promoted", a.SID, "account-auth-token", "Secondary auth token promoted to primary", nil)
	c.json(http.StatusOK, map[string]any{
		"account_sid": a.SID, "auth_token": a.token,
		"date_created": fmtISO(a.secondaryCreated), "date_updated": fmtISO(c.now),
		"url": "https://accounts.twilio.com/v1/AuthTokens",
	})
}

func (c *call) accountKeys(a *account) []*apiKey {
	var out []*apiKey
	for _, k := range c.st.keys {
		if k.acct == a {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(x, y *apiKey) int {
		return cmp.Or(x.DateCreated.Compare(y.DateCreated), strings.Compare(x.SID, y.SID))
	})
	return out
}

func key2010JSON(k *apiKey) any {
	return map[string]any{
		"sid": k.SID, "friendly_name": k.FriendlyName,
		"date_created": fmt2822(k.DateCreated), "date_updated": fmt2822(k.dateUpdated),
	}
}

func keyIAMJSON(k *apiKey) any {
	m := map[string]any{
		"sid": k.SID, "friendly_name": k.FriendlyName,
		"date_created": fmt2822(k.DateCreated), "date_updated": fmt2822(k.dateUpdated),
		"flags": []string{k.Type},
	}
	return m
}

func (c *call) listKeys2010() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	page, next := pageSlice(c, c.accountKeys(c.acct), pr)
	c.write2010List("keys", marshalAll(page, key2010JSON), pr, next)
}

func (c *call) findKey() *apiKey {
	k := c.st.keys[c.params["Sid"]]
	if k == nil || k.acct != c.acct {
		c.notFound()
		return nil
	}
	return k
}

func (c *call) fetchKey2010() {
	if k := c.findKey(); k != nil {
		c.json(http.StatusOK, key2010JSON(k))
	}
}

func (c *call) newKey(keyType, policy string) *apiKey {
	k := &apiKey{
		Key: scenario.Key{
			SID: c.st.newSID("SK"), FriendlyName: c.v("FriendlyName"), Secret: c.st.newKeySecret(),
			Type: keyType, DateCreated: c.now,
		},
		acct: c.acct, policy: policy, dateUpdated: c.now,
	}
	c.st.keys[k.SID] = k
	c.record(c.acct, "account-api-keys.created", k.SID, "api-key", "API key created",
		map[string]any{"friendly_name": change{nil, k.FriendlyName}, "key_type": change{nil, keyType}})
	return k
}

func (c *call) createKey2010() {
	k := c.newKey("standard", "")
	m := key2010JSON(k).(map[string]any)
	m["secret"] = k.Secret
	c.json(http.StatusCreated, m)
}

func (c *call) deleteKey() {
	k := c.findKey()
	if k == nil {
		return
	}
	delete(c.st.keys, k.SID) // fails at once for the next request
	c.record(c.acct, "account-api-keys.deleted", k.SID, "api-key", "API key deleted", nil)
	c.noContent()
}

// iamAccount checks the AccountSid parameter of iam /v1/Keys: it names the
// authenticated account (other products need the account's own credentials).
func (c *call) iamAccount() bool {
	sid := c.v("AccountSid")
	switch {
	case sid == "":
		c.badParam("Required parameter AccountSid missing.")
		return false
	case sid != c.acct.SID:
		c.fail(http.StatusUnauthorized, 20003, "Authenticate")
		return false
	}
	return true
}

func (c *call) listKeysIAM() {
	if !c.iamAccount() {
		return
	}
	pr, ok := c.paging()
	if !ok {
		return
	}
	page, next := pageSlice(c, c.accountKeys(c.acct), pr)
	c.writeV1List("keys", marshalAll(page, keyIAMJSON), pr, next)
}

func (c *call) fetchKeyIAM() {
	if k := c.findKey(); k != nil {
		m := keyIAMJSON(k).(map[string]any)
		delete(m, "flags")
		m["policy"] = policyJSON(k.policy)
		c.json(http.StatusOK, m)
	}
}

func policyJSON(p string) any {
	if p == "" {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(p), &v) != nil {
		return nil
	}
	return v
}

func (c *call) createKeyIAM() {
	if !c.iamAccount() {
		return
	}
	keyType, policy := "standard", c.v("Policy")
	switch c.v("KeyType") {
	case "":
	case "restricted":
		keyType = "restricted"
		var v map[string]any
		if policy == "" || json.Unmarshal([]byte(policy), &v) != nil {
			c.badParam("A restricted key needs a Policy JSON object")
			return
		}
	default:
		c.badParam("Invalid KeyType: " + c.v("KeyType"))
		return
	}
	k := c.newKey(keyType, policy)
	m := key2010JSON(k).(map[string]any)
	m["secret"] = k.Secret
	m["policy"] = policyJSON(k.policy)
	c.json(http.StatusCreated, m)
}

// updateKey renames a key (2010 and iam v1); restricted keys may also get a
// new Policy through iam.
func (c *call) updateKey() {
	k := c.findKey()
	if k == nil {
		return
	}
	changes := map[string]any{}
	if c.has("FriendlyName") && c.v("FriendlyName") != k.FriendlyName {
		changes["friendly_name"] = change{k.FriendlyName, c.v("FriendlyName")}
		k.FriendlyName = c.v("FriendlyName")
	}
	if c.product == "iam" && c.has("Policy") && c.v("Policy") != k.policy {
		var v map[string]any
		if k.Type != "restricted" || json.Unmarshal([]byte(c.v("Policy")), &v) != nil {
			c.badParam("Policy applies to restricted keys and must be a JSON object")
			return
		}
		changes["policy"] = change{policyJSON(k.policy), v}
		k.policy = c.v("Policy")
	}
	if len(changes) > 0 {
		k.dateUpdated = c.now
		c.record(c.acct, "account-api-keys.updated", k.SID, "api-key", "API key updated", changes)
	}
	if c.product == "iam" {
		m := keyIAMJSON(k).(map[string]any)
		delete(m, "flags")
		m["policy"] = policyJSON(k.policy)
		c.json(http.StatusOK, m)
		return
	}
	c.json(http.StatusOK, key2010JSON(k))
}
