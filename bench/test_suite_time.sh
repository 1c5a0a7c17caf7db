#!/usr/bin/env bash
# The whole test suite's time at one or more base commits and at HEAD, side by side.
#
#   bench/test_suite_time.sh [BASE ...]        (default base: HEAD~1)
#
# Every commit is checked out into a temporary worktree with its own virtual environment (the
# locked versions; a commit without uv.lock gets HEAD's locked versions as constraints, so every
# commit runs on the same packages), compiled to bytecode as pip does by default and ./dev.sh
# does (so PYTHONDONTWRITEBYTECODE in the environment costs neither side), and the suite runs once on SQLite and, when
# BENCH_DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/ouendan_bench), once on
# PostgreSQL. Runs are sequential: HEAD, base 1, ... on SQLite, then the same on PostgreSQL.
# Wall time depends on what else the machine is doing, so the load average is printed too, and
# user+sys CPU seconds beside it. Extra pytest arguments: BENCH_PYTEST_ARGS.
#
# HEAD runs twice: "cold", in its fresh worktree, where the first process migrates the test
# database and keeps a copy (tests/database_snapshot.py), then "warm", as every later run on a
# developer's machine starts, from that copy. Older commits have no copy to keep: one run each.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

UV=${UV:-$(command -v uv || echo /tmp/uvtool/bin/uv)}
PYTHON_VERSION=${PYTHON_VERSION:-3.11}
BASES=("$@")
[ ${#BASES[@]} -eq 0 ] && BASES=(HEAD~1)
COMMITS=()
for base in "${BASES[@]}" HEAD; do COMMITS+=("$(git rev-parse --short "$base")"); done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ouendan-suite-time.XXXXXX")
cleanup() {
    for dir in "$WORK"/wt-*; do [ -d "$dir" ] && git worktree remove --force "$dir"; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# HEAD's locked versions, for commits from before uv.lock.
"$UV" export --frozen --all-extras --no-hashes --no-emit-project -q > "$WORK/constraints.txt"

prepare() {  # commit -> worktree with .venv
    local commit=$1 dir="$WORK/wt-$1"
    git worktree add -q --detach "$dir" "$commit"
    (
        cd "$dir"
        "$UV" venv -q --python "$PYTHON_VERSION" .venv
        if [ -f uv.lock ]; then
            UV_PROJECT_ENVIRONMENT=.venv "$UV" sync --frozen --all-extras -q --compile-bytecode
        else
            extras=$(.venv/bin/python -c 'import tomllib; print(",".join(tomllib.load(open("pyproject.toml","rb"))["project"].get("optional-dependencies", {})))')
            "$UV" pip install -q --compile-bytecode --python .venv/bin/python -c "$WORK/constraints.txt" -e ".[${extras}]"
        fi
        .venv/bin/python manage.py compilemessages --ignore .venv -v0
    ) >&2
}

run_suite() {  # commit label database_url -> "wall user+sys summary"
    local commit=$1 dir="$WORK/wt-$1" url=$3 log="$WORK/$1-$2.log" times
    times=$(
        cd "$dir"
        export TIMEFORMAT='%R %U %S'
        # No DATABASE_URL at all for SQLite: older commits read an empty one as a broken URL.
        if [ -n "$url" ]; then export DATABASE_URL=$url; else unset DATABASE_URL; fi
        # As the commit's own `./dev.sh test` runs it: in one process per core where it does so.
        local parallel=""
        dist=$(grep -o -- "--dist [a-z]*" dev.sh | head -1 || true)
        [ -n "$dist" ] && parallel="-n auto $dist"
        { time .venv/bin/python -m pytest -q -p no:cacheprovider $parallel \
            ${BENCH_PYTEST_ARGS:-} >"$log" 2>&1 || true; } 2>&1
    )
    read -r wall user sys <<<"$times"
    printf '%s %s %s\n' "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')" \
        "$(tail -n 1 "$log" | sed -E 's/^=+ //; s/ in [0-9.]+s.*//')"
}

for commit in "${COMMITS[@]}"; do prepare "$commit"; done

declare -A RESULT
DATABASES=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && DATABASES+=(postgresql)
for database in "${DATABASES[@]}"; do
    url=""
    [ "$database" = postgresql ] && url=$BENCH_DATABASE_URL
    head=${COMMITS[-1]}
    for run in "$head cold" "$head warm" "${COMMITS[@]:0:${#COMMITS[@]}-1}"; do
        read -r commit temperature <<<"$run"
        key="$commit-$database${temperature:+-$temperature}"
        echo "$(date +%T) $commit ${temperature:-} on $database (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
        RESULT[$key]=$(run_suite "$commit" "$database" "$url")
        echo "    ${RESULT[$key]}" >&2
    done
done

echo
echo "Whole test suite, $(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %-11s %10s %14s  %s\n' commit database "wall (s)" "user+sys (s)" result
for database in "${DATABASES[@]}"; do
    for key in "${COMMITS[@]:0:${#COMMITS[@]}-1}" "${COMMITS[-1]} cold" "${COMMITS[-1]} warm"; do
        read -r commit temperature <<<"$key"
        read -r wall cpu summary <<<"${RESULT[$commit-$database${temperature:+-$temperature}]}"
        label=$commit
        [ -n "$temperature" ] && label="$commit* $temperature"
        printf '%-16s %-11s %10s %14s  %s\n' "$label" "$database" "$wall" "$cpu" "$summary"
    done
done
echo "(* HEAD; cold: first run in a fresh clone; warm: the next run, from the migrated copy)"
