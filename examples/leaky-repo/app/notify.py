"""Sends order notifications by SMS."""
import os

from twilio.rest import Client

# Quick fix for the demo on Friday; the env var was not set on the new box.
client = Client("AC598fdd1a56846658f660652ed4810395", "ce2337ad21d390367e018828cef2b0ef")


def notify(order):
    return client.messages.create(
        to=order.phone,
        from_=os.environ.get("TWILIO_FROM", "+15005550006"),
        body=f"Order {order.id} has shipped",
    )
