<?php

return [
    'mailgun' => [
        'domain' => env('MAILGUN_DOMAIN'),
    ],
    'twilio' => [
        'sid' => env('TWILIO_SID', 'AC277a3faac929504b9bcea9b3a6ea2a3f'),
        'token' => env('TWILIO_TOKEN', '23f65681bf4a3d8f0cd9d8134c44a183'),
        'from' => env('TWILIO_FROM', '+15017122661'),
    ],
];
