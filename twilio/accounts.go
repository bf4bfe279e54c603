package twilio

import (
	"context"
	"iter"
	"net/url"

	"github.com/atoguard/atoguard"
)

// wireAccount is the 2010 Account resource.
type wireAccount struct {
	SID          string `json:"sid"`
	OwnerSID     string `json:"owner_account_sid"`
	FriendlyName string `json:"friendly_name"`
	Status       string `json:"status"`
	Type         string `json:"type"`
	AuthToken    string `json:"auth_token"`
	DateCreated  ts     `json:"date_created"`
}

func (w *wireAccount) account() atoguard.Account {
	return atoguard.Account{SID: w.SID, OwnerSID: w.OwnerSID, FriendlyName: w.FriendlyName,
		Status: w.Status, Type: w.Type, DateCreated: w.DateCreated.Time()}
}

func accountPath(sid string) string { return "/2010-04-01/Accounts/" + sid + ".json" }

// FetchAccount reads an account (the caller's own or one of its subaccounts).
// It is also the read-only way to check that a credential works.
func (c *Client) FetchAccount(ctx context.Context, sid string) (atoguard.Account, error) {
	const op = "twilio.fetch_account"
	if err := needSID(op, "account SID", sid); err != nil {
		return atoguard.Account{}, err
	}
	var w wireAccount
	if err := c.get(ctx, op, ProductAPI, accountPath(sid), nil, &w); err != nil {
		return atoguard.Account{}, err
	}
	return w.account(), nil
}

// SubaccountAuthToken reads a subaccount's auth token through its parent
// (the parent's credentials see auth_token on the subaccount resource).
func (c *Client) SubaccountAuthToken(ctx context.Context, subSID string) (atoguard.Secret, error) {
	const op = "twilio.subaccount_auth_token"
	if err := needSID(op, "account SID", subSID); err != nil {
		return atoguard.Secret{}, err
	}
	var w wireAccount
	if err := c.get(ctx, op, ProductAPI, accountPath(subSID), nil, &w); err != nil {
		return atoguard.Secret{}, err
	}
	if w.AuthToken == "" {
		// Twilio hides it from API keys and from callers that are not the parent.
		return atoguard.Secret{}, atoguard.Errorf(atoguard.EUNAUTHORIZED, op, "no auth_token returned for %s (use the parent's account SID and auth token)", subSID)
	}
	return atoguard.NewSecret(w.AuthToken), nil
}

// AccountFilter narrows ListAccounts.
type AccountFilter = atoguard.AccountFilter

// ListAccounts lists the caller's account and its subaccounts.
func (c *Client) ListAccounts(ctx context.Context, f AccountFilter) iter.Seq2[atoguard.Account, error] {
	q := url.Values{}
	if f.FriendlyName != "" {
		q.Set("FriendlyName", f.FriendlyName)
	}
	if f.Status != "" {
		q.Set("Status", f.Status)
	}
	return list(c, ctx, &request{op: "twilio.list_accounts", product: ProductAPI, path: "/2010-04-01/Accounts.json", query: q},
		"accounts", func(w *wireAccount) (atoguard.Account, bool) { return w.account(), true })
}

// CreateSubaccount creates a subaccount. Not retried after it may have been
// applied (a retry could create a second one).
func (c *Client) CreateSubaccount(ctx context.Context, name string) (atoguard.Account, error) {
	const op = "twilio.create_subaccount"
	form := url.Values{}
	if name != "" {
		form.Set("FriendlyName", name)
	}
	var w wireAccount
	if err := c.post(ctx, op, ProductAPI, "/2010-04-01/Accounts.json", form, false, &w); err != nil {
		return atoguard.Account{}, err
	}
	return w.account(), nil
}

// UpdateAccountStatus sets an account's status (active | suspended | closed).
// Setting an absolute state is safe to retry.
func (c *Client) UpdateAccountStatus(ctx context.Context, sid, status string) (atoguard.Account, error) {
	const op = "twilio.update_account_status"
	if err := needSID(op, "account SID", sid); err != nil {
		return atoguard.Account{}, err
	}
	switch status {
	case "active", "suspended", "closed":
	default:
		return atoguard.Account{}, atoguard.Errorf(atoguard.EINVALID, op, "status %q: want active, suspended or closed", status)
	}
	var w wireAccount
	if err := c.post(ctx, op, ProductAPI, accountPath(sid), url.Values{"Status": {status}}, true, &w); err != nil {
		return atoguard.Account{}, err
	}
	return w.account(), nil
}

// ---- auth tokens (accounts v1; act on the authenticated account) ----

// CreateSecondaryAuthToken creates the secondary auth token of the account
// the client authenticates as. Not retried after it may have been applied.
func (c *Client) CreateSecondaryAuthToken(ctx context.Context) (atoguard.Secret, error) {
	const op = "twilio.create_secondary_auth_token"
	var w struct {
		SecondaryAuthToken string `json:"secondary_auth_token"`
	}
	if err := c.post(ctx, op, ProductAccounts, "/v1/AuthTokens/Secondary", nil, false, &w); err != nil {
		return atoguard.Secret{}, err
	}
	if w.SecondaryAuthToken == "" {
		return atoguard.Secret{}, atoguard.Errorf(atoguard.EUNAVAILABLE, op, "reply carried no secondary_auth_token")
	}
	return atoguard.NewSecret(w.SecondaryAuthToken), nil
}

// DeleteSecondaryAuthToken deletes the secondary auth token.
func (c *Client) DeleteSecondaryAuthToken(ctx context.Context) error {
	return c.del(ctx, "twilio.delete_secondary_auth_token", ProductAccounts, "/v1/AuthTokens/Secondary")
}

// PromoteSecondaryAuthToken makes the secondary token the primary; the old
// primary stops working at once, so the client's own credential must be the
// secondary token or an unaffected one when this returns. Not retried after
// it may have been applied.
func (c *Client) PromoteSecondaryAuthToken(ctx context.Context) error {
	return c.post(ctx, "twilio.promote_secondary_auth_token", ProductAccounts, "/v1/AuthTokens/Promote", nil, false, nil)
}
