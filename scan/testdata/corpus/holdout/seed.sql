INSERT INTO twilio_credentials (account_sid, auth_token) VALUES ('AC79ca4eb8d7be04507dbe30b06b7da642', '0e097a519a663d6573cc04105a91db3b');
