use twilio::{Client, OutboundMessage};

const FROM: &str = "+15017122661";

#[tokio::main]
async fn main() {
    let client = Client::new("AC33a4055f92fcb2441c68c035541a668a", "7d183969e8ab5a5ea0b0f3a59db82ec8");
    let msg = OutboundMessage::new(FROM, "+15558675310", "deploy done");
    client.send_message(msg).await.unwrap();
}
