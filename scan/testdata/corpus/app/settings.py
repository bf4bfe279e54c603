import os
DEBUG = True
SECRET_KEY = "django-insecure-4v$2k!x9q@m#l7w"
TWILIO_ACCOUNT_SID = "AC0ae71c5f39e191095278da7bb8a0aece"
TWILIO_AUTH_TOKEN = "a0210b7d059c1fee2032b1743f783601"
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "PASSWORD": "5de9c08998a1e129938dc1dd24921099"}
}
