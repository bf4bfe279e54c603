account_sid = "ACe9df0b3f13052ba131525fa27a6abde3"
auth_token = input("token: ")
client = Client(account_sid, auth_token)
