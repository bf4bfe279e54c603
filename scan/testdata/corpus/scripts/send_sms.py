from twilio.rest import Client

client = Client("AC3e47de6e169f233c5ae6e90052a38b8d", "9b6953744c0a0c24bc93621f29659425")
message = client.messages.create(body="Hi", from_="+15017122661", to="+15558675310")
print(message.sid)
