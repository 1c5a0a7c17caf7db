"""The README documents every environment variable the settings read, and exactly two commands."""

import re
from pathlib import Path

from ouendan.settings.mail_providers import PROVIDERS

ROOT = Path(__file__).resolve().parent.parent


def variables_read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "site/settings").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'_required\("([A-Z][A-Z0-9_]+)"\)', text))
    # Each mail provider's variables are read from a table, not by literal env("...") calls.
    names.add("ANYMAIL_WEBHOOK_SECRET")
    for provider in PROVIDERS.values():
        names |= {*provider.names, *provider.required, *provider.client_params}
    return names


def test_every_environment_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = {m for m in re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.MULTILINE)}
    read = variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read  # the scan itself works
    assert read - table == set()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", readme, flags=re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["./dev.sh run", "./dev.sh test"]
    assert "./dev.sh test" in (ROOT / ".ci/run").read_text(encoding="utf-8")
