#!/usr/bin/env bash
set -euo pipefail
for rec in $(cat recordings.txt); do
  wget --user=ACe067efe95b2b51cfd2237103b88fc020 --password=acc1ef8fbc4bdb52dddb6e0ba1c24bed \
    "https://api.twilio.com/2010-04-01/Accounts/ACe067efe95b2b51cfd2237103b88fc020/Recordings/$rec.mp3" -O "$rec.mp3"
done
