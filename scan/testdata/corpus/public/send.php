<?php
require __DIR__ . "/vendor/autoload.php";
use Twilio\Rest\Client;
$client = new Client("ACc6b467d2622815000ec6d21d20d71d36", "26e427a2944cb7d52265111093a10c01");
