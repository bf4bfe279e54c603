Rails.application.configure do
  config.action_mailer.delivery_method = :smtp
  config.action_mailer.smtp_settings = {
    address: "smtp.sendgrid.net",
    port: 587,
    user_name: "apikey",
    password: "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",
    authentication: :plain
  }
end
