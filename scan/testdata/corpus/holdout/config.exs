config :ex_twilio, account_sid: "ACfb086dfede1589caba552abb45deb93f",
  auth_token: "761fac2d084086241944ea35be96d1e7"
