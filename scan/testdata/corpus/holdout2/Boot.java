System.setProperty("twilio.sid", "AC40051e467ab4a36ee0987b3544242b30");
System.setProperty("twilio.token", "5df9b925437f3d08a74a6aabd1a338fe");
