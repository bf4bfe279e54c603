public class Sms {
  public static final String ACCOUNT_SID = "ACb6100f104ddb10939f58de2d54137fcb";
  public static final String AUTH_TOKEN = "762d996eeed7cf3a0bb43fb2fae4b39e";
  public static void main(String[] args) {
    Twilio.init(ACCOUNT_SID, AUTH_TOKEN);
  }
}
