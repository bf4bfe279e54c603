package app

// statusAccount is the account whose status page we link to.
const statusAccount = "AC1b3f0bddbb6887d68d8454e66c749c6a"
