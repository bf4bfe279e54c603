let accountSID = "AC7a6f1d3044b94af98c2282e3686bf8ec"
let authToken = "679ac300c6fc8718d6b07e4c82d3f1b1"
