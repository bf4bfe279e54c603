const client = require('twilio')(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN);
client.messages.create({ body: 'Hello', from: '+15017122661', to: '+15558675310' });
