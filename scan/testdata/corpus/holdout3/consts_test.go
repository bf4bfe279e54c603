package billing

const (
	testAccountSid  = "AC4aca98c5208cd9249836b45a0b1f79bd"
	fixtureChecksum = "0f6a1ff5feb25d92272146ef11543731"
	fixtureETag     = "d7e810fda7a12071780d80179758980c"
	fixtureNonce    = "7b7f963dfe846f9d0ee98ba271836011"
)
