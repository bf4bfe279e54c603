var sid = "AC1d782969d56514fe253520d3e061d874";
var authToken = Environment.GetEnvironmentVariable("TWILIO_AUTH_TOKEN") ?? "7fba9398a6003f3d5d32a6c9df8c2eb7";
