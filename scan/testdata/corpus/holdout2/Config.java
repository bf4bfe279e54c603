@Value("${twilio.account-sid:AC911a95891fca76a9e28becdcb820372c}")
private String sid;
@Value("${twilio.auth-token:9271ce2c668575063c94fd1cda2f869c}")
private String token;
