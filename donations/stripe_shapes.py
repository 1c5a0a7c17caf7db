"""Reading Stripe objects in the shapes of the current API version and the older ones.

Pure functions over the JSON Stripe sends: ids (plain or expanded), timestamps, an invoice's
subscription and payment intent, and what a processed event's object records (the keys waiting
events name, see donations/stripe_inbox.py).
"""

import datetime


def stripe_id(value) -> str:
    """The id in a field that may be a plain id or an expanded object; "" when there is none."""
    if isinstance(value, dict):
        value = value.get("id")
    return value.strip() if isinstance(value, str) else ""


def timestamp(value) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC) if value else None


def invoice_subscription_id(invoice: dict) -> str:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return stripe_id(details.get("subscription")) or stripe_id(invoice.get("subscription"))


def invoice_payment_intent_id(invoice: dict) -> str:
    """The payment intent that paid the invoice: from `invoice.payments` when Stripe included it
    (the default payment first), else the older top-level `payment_intent`."""
    payments = (invoice.get("payments") or {}).get("data") or []
    paid = [p for p in payments if isinstance(p, dict) and p.get("status") == "paid"]
    for payment in sorted(paid, key=lambda p: not p.get("is_default")):
        found = invoice_payment_payment_intent(payment)
        if found:
            return found
    return stripe_id(invoice.get("payment_intent"))


def invoice_payment_payment_intent(invoice_payment: dict) -> str:
    payment = invoice_payment.get("payment") or {}
    if payment.get("type") not in (None, "payment_intent"):
        return ""
    return stripe_id(payment.get("payment_intent"))


def event_provides(obj: dict) -> set[str]:
    """What a successfully processed event's object records, as the keys waiting events name."""
    kind, object_id = obj.get("object"), stripe_id(obj.get("id"))
    keys: set[str] = set()
    if kind == "subscription":
        keys |= {f"subscription:{object_id}", f"customer:{stripe_id(obj.get('customer'))}"}
    elif kind == "invoice":
        keys |= {f"invoice:{object_id}", f"payment_intent:{invoice_payment_intent_id(obj)}"}
    elif kind == "invoice_payment":
        keys.add(f"payment_intent:{invoice_payment_payment_intent(obj)}")
    elif kind == "checkout.session":
        metadata = obj.get("metadata") or {}
        request = metadata.get("checkout_request") or obj.get("client_reference_id") or ""
        keys |= {
            f"payment_intent:{stripe_id(obj.get('payment_intent'))}",
            f"checkout_request:{request if isinstance(request, str) else ''}",
            f"customer:{stripe_id(obj.get('customer'))}",
        }
    return {key for key in keys if not key.endswith(":")}
