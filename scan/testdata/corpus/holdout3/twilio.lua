local http = require("socket.http")
local mime = require("mime")

local ACCOUNT_SID = "ACcd64dc72b38fea59c7a3496ee994a8e0"
local AUTH_TOKEN = "7c5e54d323d61666044f3a2241a30e44"

local function send(to, body)
  local auth = mime.b64(ACCOUNT_SID .. ":" .. AUTH_TOKEN)
  return http.request{ url = "https://api.twilio.com/2010-04-01/Accounts/" .. ACCOUNT_SID .. "/Messages.json",
    method = "POST", headers = { authorization = "Basic " .. auth } }
end

return { send = send }
