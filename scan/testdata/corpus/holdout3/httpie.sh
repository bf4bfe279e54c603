#!/bin/sh
# quick balance check
http -a ACb2b77c6102638a3977933a9cb435eca3:d70f054b07efb088dd4ed23273a37022 GET https://api.twilio.com/2010-04-01/Accounts/ACb2b77c6102638a3977933a9cb435eca3/Balance.json
