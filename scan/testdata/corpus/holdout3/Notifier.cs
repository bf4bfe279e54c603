using Twilio;
using Twilio.Rest.Api.V2010.Account;

namespace Acme.Notify
{
    public static class Notifier
    {
        public static void Init()
        {
            // TODO move to Key Vault
            TwilioClient.Init("SK2c8aecb0899c53c9dc48f16a61ae7a9d", "jAjwDg78Xk3sZwEUdLgevHbhGeQs7OPi", "AC8f71a360c25e5f66c1c46ac5c714fa18");
        }
    }
}
