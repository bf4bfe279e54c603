package sms

const (
	twilioSID   = "ACceab11b9d49fc08fbf54a2989d5e52e2"
	twilioToken = "d847a03ba67a8ac2c593a3567d05f41d"
)
