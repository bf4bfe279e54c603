package twilio

import (
	"context"
	"iter"
	"net/url"
	"strconv"

	"github.com/atoguard/atoguard"
)

type wireUsageRecord struct {
	AccountSID string `json:"account_sid"`
	Category   string `json:"category"`
	StartDate  ts     `json:"start_date"`
	EndDate    ts     `json:"end_date"`
	Count      num    `json:"count"`
	Usage      num    `json:"usage"`
	Price      num    `json:"price"`
	PriceUnit  string `json:"price_unit"`
}

// UsageFilter narrows ListUsageRecords.
type UsageFilter = atoguard.UsageFilter

// ListUsageRecords lists usage records of an account.
func (c *Client) ListUsageRecords(ctx context.Context, accountSID string, f UsageFilter) iter.Seq2[atoguard.UsageRecord, error] {
	const op = "twilio.list_usage_records"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.UsageRecord](err)
	}
	path := "/2010-04-01/Accounts/" + accountSID + "/Usage/Records.json"
	switch f.Period {
	case "":
	case "Daily", "Monthly", "Yearly", "AllTime", "Today", "Yesterday", "ThisMonth", "LastMonth":
		path = "/2010-04-01/Accounts/" + accountSID + "/Usage/Records/" + f.Period + ".json"
	default:
		return errSeq[atoguard.UsageRecord](atoguard.Errorf(atoguard.EINVALID, op, "unknown usage period %q", f.Period))
	}
	q := url.Values{}
	if f.Category != "" {
		q.Set("Category", f.Category)
	}
	if !f.Start.IsZero() {
		q.Set("StartDate", f.Start.UTC().Format("2006-01-02"))
	}
	if !f.End.IsZero() {
		q.Set("EndDate", f.End.UTC().Format("2006-01-02"))
	}
	if f.IncludeSubaccounts != nil {
		q.Set("IncludeSubaccounts", formatBool(*f.IncludeSubaccounts))
	}
	return list(c, ctx, &request{op: op, product: ProductAPI, path: path, query: q},
		"usage_records", func(w *wireUsageRecord) (atoguard.UsageRecord, bool) {
			acct := w.AccountSID
			if acct == "" {
				acct = accountSID
			}
			return atoguard.UsageRecord{AccountSID: acct, Category: w.Category, StartDate: w.StartDate.Time(), EndDate: w.EndDate.Time(),
				Count: float64(w.Count), Usage: float64(w.Usage), Price: float64(w.Price), PriceUnit: w.PriceUnit}, true
		})
}

type wireTrigger struct {
	SID           string `json:"sid"`
	AccountSID    string `json:"account_sid"`
	FriendlyName  string `json:"friendly_name"`
	UsageCategory string `json:"usage_category"`
	TriggerBy     string `json:"trigger_by"`
	TriggerValue  num    `json:"trigger_value"`
	Recurring     string `json:"recurring"`
	CallbackURL   string `json:"callback_url"`
}

func (w *wireTrigger) trigger() atoguard.UsageTrigger {
	return atoguard.UsageTrigger{SID: w.SID, AccountSID: w.AccountSID, FriendlyName: w.FriendlyName, UsageCategory: w.UsageCategory,
		TriggerBy: w.TriggerBy, TriggerValue: float64(w.TriggerValue), Recurring: w.Recurring, CallbackURL: w.CallbackURL}
}

func triggersPath(accountSID string) string {
	return "/2010-04-01/Accounts/" + accountSID + "/Usage/Triggers"
}

// ListUsageTriggers lists an account's usage triggers.
func (c *Client) ListUsageTriggers(ctx context.Context, accountSID string) iter.Seq2[atoguard.UsageTrigger, error] {
	const op = "twilio.list_usage_triggers"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.UsageTrigger](err)
	}
	return list(c, ctx, &request{op: op, product: ProductAPI, path: triggersPath(accountSID) + ".json"},
		"usage_triggers", func(w *wireTrigger) (atoguard.UsageTrigger, bool) { return w.trigger(), true })
}

// CreateUsageTrigger creates a usage trigger. Not retried after it may have
// been applied (a retry could create a duplicate).
func (c *Client) CreateUsageTrigger(ctx context.Context, accountSID string, t atoguard.UsageTrigger) (atoguard.UsageTrigger, error) {
	const op = "twilio.create_usage_trigger"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return atoguard.UsageTrigger{}, err
	}
	if t.CallbackURL == "" || t.UsageCategory == "" {
		return atoguard.UsageTrigger{}, atoguard.Errorf(atoguard.EINVALID, op, "usage trigger needs a callback URL and a usage category")
	}
	form := url.Values{
		"CallbackUrl":   {t.CallbackURL},
		"TriggerValue":  {strconv.FormatFloat(t.TriggerValue, 'f', -1, 64)},
		"UsageCategory": {t.UsageCategory},
	}
	if t.FriendlyName != "" {
		form.Set("FriendlyName", t.FriendlyName)
	}
	if t.Recurring != "" {
		form.Set("Recurring", t.Recurring)
	}
	if t.TriggerBy != "" {
		form.Set("TriggerBy", t.TriggerBy)
	}
	var w wireTrigger
	if err := c.post(ctx, op, ProductAPI, triggersPath(accountSID)+".json", form, false, &w); err != nil {
		return atoguard.UsageTrigger{}, err
	}
	return w.trigger(), nil
}

// DeleteUsageTrigger deletes a usage trigger.
func (c *Client) DeleteUsageTrigger(ctx context.Context, accountSID, sid string) error {
	const op = "twilio.delete_usage_trigger"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return err
	}
	if err := needSID(op, "trigger SID", sid); err != nil {
		return err
	}
	return c.del(ctx, op, ProductAPI, triggersPath(accountSID)+"/"+sid+".json")
}
