package twilio

import (
	"context"
	"iter"
	"net/url"

	"github.com/atoguard/atoguard"
)

type wireKey struct {
	SID          string `json:"sid"`
	FriendlyName string `json:"friendly_name"`
	DateCreated  ts     `json:"date_created"`
	Secret       string `json:"secret"` // only on creation
}

// ListKeys lists an account's API keys (2010-04-01 Keys).
func (c *Client) ListKeys(ctx context.Context, accountSID string) iter.Seq2[atoguard.APIKey, error] {
	const op = "twilio.list_keys"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.APIKey](err)
	}
	return list(c, ctx, &request{op: op, product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/Keys.json"},
		"keys", func(w *wireKey) (atoguard.APIKey, bool) {
			return atoguard.APIKey{SID: w.SID, AccountSID: accountSID, FriendlyName: w.FriendlyName, DateCreated: w.DateCreated.Time()}, true
		})
}

// ListIAMKeys lists an account's API keys through iam v1 (includes
// restricted keys, which the 2010 list may omit).
func (c *Client) ListIAMKeys(ctx context.Context, accountSID string) iter.Seq2[atoguard.APIKey, error] {
	const op = "twilio.list_iam_keys"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.APIKey](err)
	}
	return list(c, ctx, &request{op: op, product: ProductIAM, path: "/v1/Keys", query: url.Values{"AccountSid": {accountSID}}},
		"keys", func(w *wireKey) (atoguard.APIKey, bool) {
			return atoguard.APIKey{SID: w.SID, AccountSID: accountSID, FriendlyName: w.FriendlyName, DateCreated: w.DateCreated.Time()}, true
		})
}

// DeleteKey deletes an API key (2010-04-01); it stops working at once.
func (c *Client) DeleteKey(ctx context.Context, accountSID, keySID string) error {
	const op = "twilio.delete_key"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return err
	}
	if err := needSID(op, "key SID", keySID); err != nil {
		return err
	}
	return c.del(ctx, op, ProductAPI, "/2010-04-01/Accounts/"+accountSID+"/Keys/"+keySID+".json")
}

// DeleteIAMKey deletes an API key through iam v1.
func (c *Client) DeleteIAMKey(ctx context.Context, keySID string) error {
	const op = "twilio.delete_iam_key"
	if err := needSID(op, "key SID", keySID); err != nil {
		return err
	}
	return c.del(ctx, op, ProductIAM, "/v1/Keys/"+keySID)
}

// CreateKey creates a standard API key (for tests and drills). The secret is
// only ever returned here. Not retried after it may have been applied.
func (c *Client) CreateKey(ctx context.Context, accountSID, name string) (string, atoguard.Secret, error) {
	const op = "twilio.create_key"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return "", atoguard.Secret{}, err
	}
	form := url.Values{}
	if name != "" {
		form.Set("FriendlyName", name)
	}
	var w wireKey
	if err := c.post(ctx, op, ProductAPI, "/2010-04-01/Accounts/"+accountSID+"/Keys.json", form, false, &w); err != nil {
		return "", atoguard.Secret{}, err
	}
	return w.SID, atoguard.NewSecret(w.Secret), nil
}
