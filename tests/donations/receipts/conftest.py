import pytest

from tests.donations.receipts.factories import issuer_details


@pytest.fixture(autouse=True)
def issuer_address(request):
    """An annual certificate needs the issuer's address (services.receipt_issuer_check): every
    database test here starts with one; the tests of that rule clear it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return None
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    return issuer_details(address="東京都千代田区千代田2-2")
