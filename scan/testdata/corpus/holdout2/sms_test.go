package sms

import "testing"

func TestSend(t *testing.T) {
	t.Setenv("TWILIO_ACCOUNT_SID", "ACad77bf39768915e2ed4a22437740af0d")
	t.Setenv("TWILIO_AUTH_TOKEN", "d269074d9451ccd1dba7041ae33aaff7")
}
