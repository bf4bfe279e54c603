#!/bin/sh
curl -X POST https://verify.twilio.com/v2/Services/VA67c3118852a8434ac23ab0f32451fcf3/Verifications \
  -H "Authorization: Basic U0tiNzg4NDA1ZjU5NTQwNjVjODQyNjAzOWU1NzIwMjg5ZDo2Uk9ucFR1SXVmMDB2OFIxTE9YeXJlNDFKSW5yMlNNeA==" \
  --data-urlencode "To=$1" --data-urlencode "Channel=sms"
