import sendgrid
sg = sendgrid.SendGridAPIClient(api_key="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")
