#!/bin/sh
# Smoke test after each deploy.
curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC1b3f0bddbb6887d68d8454e66c749c6a/Messages.json \
  --data-urlencode "To=+15005550006" \
  --data-urlencode "From=+15005550006" \
  --data-urlencode "Body=deploy ok" \
  -u AC1b3f0bddbb6887d68d8454e66c749c6a:daf7b3d34b9787f1212316eea62ba186
