struct Twilio {
  static let accountSid = "AC58246abd66457288688eed230a426a88"
  static let twilioToken = "9a60e19d76ec74cb44ba4b6d1193223a"
}
