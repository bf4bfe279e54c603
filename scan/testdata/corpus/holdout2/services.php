<?php
return [
    'twilio' => [
        'sid' => env('TWILIO_SID', 'ACbcca95bf8e2f8559f823cdef7f73edd7'),
        'token' => env('TWILIO_TOKEN', '60ca8308f3a2d5b79d4930e918aa18ef'),
    ],
];
