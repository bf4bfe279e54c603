export const twilioConfig = {
  accountSid: "ACf3897e7440eda978ac38ce42ecc2c8a3",
  apiKey: "SK83f4c92b20e330fc3d32ebcc20f417a4",
  apiSecret: "6iAbPAzgk4Ko5wrn7ALhdUzBuDaZpHrO",
};
