variable "twilio_account_sid" {
  default = "ACd19f5359fc591ce454400df255ce3a0b"
}
variable "twilio_auth_token" {
  default = "4287f44e7d87c8fb4ac83f5bb04a30db"
}
