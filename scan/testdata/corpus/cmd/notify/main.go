package main

import "github.com/twilio/twilio-go"

func main() {
	client := twilio.NewRestClientWithParams(twilio.ClientParams{
		Username:   "SK58ad842c2193d6b667d0be20e7d9207b",
		Password:   "3RrOR6JL3j4oGVOGYvBlOUXRsatKahNm",
		AccountSid: "AC890ca058e8a676cc406c0538ca926e4a",
	})
	_ = client
}
