Twilio.configure do |config|
  config.account_sid = 'AC451d6188ef491f8bf4267ef3823247bb'
  config.auth_token = '5eb5c40f36dabb65457a4c21fb9402d5'
end
