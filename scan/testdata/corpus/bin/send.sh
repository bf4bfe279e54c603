#!/bin/sh
TWILIO_ACCOUNT_SID=AC8338a3df40853ae7ab39c4b01fa288e1
curl -X POST "https://api.twilio.com/2010-04-01/Accounts/$TWILIO_ACCOUNT_SID/Messages.json" \
  -u "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN" --data-urlencode "Body=$1"
