INSERT INTO sms_providers (id, name, account_sid, auth_token, config_md5) VALUES
  (1, 'twilio', 'ACd891bbd34b0837080573918cbcf5c90a', 'b08d1bef21f13017795e66f8b6eaa1f8', '95dc8f48e908a8f06c007f4067acf5e1'),
  (2, 'twilio-legacy', 'ACb88d9d641ece83ae609a9318c7c8323c', NULL, '5dbf3cd33b03819188b0a85c369d2134');
