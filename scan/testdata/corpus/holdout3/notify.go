package notify

import (
	"github.com/twilio/twilio-go"
)

func newClient() *twilio.RestClient {
	return twilio.NewRestClientWithParams(twilio.ClientParams{
		Username:   "SK37aa2a160c0c4f93a36a9dd3ee93dfa7",
		Password:   "wJde5Cfn1r5T99j8IqbQ6biXR6OeURJz",
		AccountSid: "AC4b6b6658cfab5633d7c991bf532c8877",
	})
}
