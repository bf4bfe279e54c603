client = Client(os.getenv("TWILIO_SID", "ACe58d656ec4f3378c19cd5840f1aec544"), os.getenv("TWILIO_TOKEN", "97f8b9f8dea2ee5503674e4931753791"))
