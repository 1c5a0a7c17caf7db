"""`--dist loadgroup` really groups (./dev.sh test and CI use it): a test marked with a group,
and one sharing a module-scoped fixture (grouped by tests/conftest.py), carry their group in
their node id, which is what pytest-xdist schedules by. pytest 9 silently broke this with
pytest-xdist 3.8 (pyproject pins pytest below 9)."""

import pytest


@pytest.fixture(scope="module")
def shared():
    return object()


def _grouping(request) -> bool:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under --dist loadgroup (./dev.sh test, CI)")
    return True


@pytest.mark.xdist_group("guard")
def test_a_marked_test_is_scheduled_by_its_group(request):
    assert _grouping(request)
    assert request.node.nodeid.endswith("@guard"), request.node.nodeid


def test_tests_sharing_a_module_fixture_are_one_group(request, shared):
    assert _grouping(request)
    assert request.node.nodeid.endswith("@tests/test_xdist_groups.py"), request.node.nodeid
