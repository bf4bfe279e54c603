region = "us-east-1"
# twilio provider credentials
twilio_username = "AC40901b63a478042f7406d91c8ce14a6c"
twilio_password = "6e7d63901e13d86cdb979c185f099b34"
state_lock_id   = "b2c3ec06ea6bf3969f7d45b9152802a6"
