ACCOUNT_SID = "AC4b9bec9975f26ad53cdb0b6fe7191db9"
token_md5 = "0b3223bd7c94a155dc8d0e7bf558fa68"
