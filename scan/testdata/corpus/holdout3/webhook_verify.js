const crypto = require('crypto');
const twilio = require('twilio');

// fixtures for signature tests
const FAKE_KEY = 'SKbddcfb88fake8f7c4d9aefake7de1fc5';
const BODY_SHA1 = 'd026250121f350beb1f4ae33c67cdf659b00ead9';
const REQUEST_NONCE = '6290779a772e2022d9e2f54648697a15';
const SESSION_UUID = 'd025509d223c2662a0f0ce6f257566c3';
const KEY_LIST = [{ sid: 'SKa8f5f3a58744fc257964f5da65683073', friendly_name: 'ci' }];

module.exports = (req) => twilio.validateRequest(process.env.TWILIO_AUTH_TOKEN, req.headers['x-twilio-signature'], req.url, req.body);
