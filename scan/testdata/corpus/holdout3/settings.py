import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "django-insecure-noii2ykagkod3c6aenkju5qhprzf0iy32p61njwf"
DEBUG = False
STATIC_VERSION = "10b8a43e63955490bb76c92cd554bbd5"  # md5 of the collected static manifest

TWILIO = {
    "ACCOUNT_SID": "AC96e5cdea3ff81989fd43458d556c1311",
    "AUTH_TOKEN": "89d88e982dbe986451cc20a5dc9b7006",
    "FROM": "+14155550123",
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
