fn main() {
    let client = Client::new("ACa3c6439edc106b45dfb81df82a180422", "0144a0e16c8beb695793c52856f0ef8d");
}
