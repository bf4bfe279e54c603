param([string]$To, [string]$Body)
$sid = "ACde24cfdf7774d7e7351a5f86993fa4f0"
$token = "523f3484b5c8da1831f1c8bb42169342"
$secure = ConvertTo-SecureString $token -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential($sid, $secure)
Invoke-RestMethod -Uri "https://api.twilio.com/2010-04-01/Accounts/$sid/Messages.json" `
  -Method Post -Credential $cred -Body @{ To = $To; From = "+15017122661"; Body = $Body }
