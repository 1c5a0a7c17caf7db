"""A stripe.HTTPClient that records the exact requests the stripe library sends and answers
with Stripe-shaped responses. No network."""

import json
from urllib.parse import parse_qsl, urlsplit

import stripe


class RecordingHTTPClient(stripe.HTTPClient):
    name = "recording"

    def __init__(self, responses: list[tuple[int, dict]] | None = None):
        super().__init__()
        self.requests: list[dict] = []
        self.responses = list(responses or [])

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append(
            {
                "method": method.upper(),
                "path": urlsplit(url).path,
                "host": urlsplit(url).netloc,
                "headers": dict(headers or {}),
                "params": dict(parse_qsl(post_data or "", keep_blank_values=True)),
            }
        )
        status, body = self.responses.pop(0) if self.responses else (200, {})
        return json.dumps(body), status, {"request-id": f"req_{len(self.requests)}"}

    def close(self):
        pass


def checkout_session(session_id="cs_test_1", url="https://checkout.stripe.com/c/pay/cs_test_1"):
    return {"id": session_id, "object": "checkout.session", "url": url}
