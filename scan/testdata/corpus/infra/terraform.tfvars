twilio_account_sid = "AC0498b812d6d83bf817741ed1557f32af"
twilio_auth_token  = "0d280e8bf02b06d477be41fa4a67228e"
region = "us1"
