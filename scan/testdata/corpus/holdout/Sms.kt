val client = TwilioRestClient.Builder("AC5f969f1a6e7c618c8fc9d640075fcc2e", "8fa9dba21554ec9c85c17328c8ad0644").build()
