TWILIO_ACCOUNT_SID = "ACbb9a460bd0ed0dd9b146f4ac019adfc7"  # atoguard:allow
TWILIO_AUTH_TOKEN = "56e305d251e339ff88cd33c39fe8d751"  # atoguard:allow
