"""``verifier fix`` on a copy of the seeds, from the report of the end-to-end check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.integration.seeds.conftest import CHOSUN, CHOSUN_GOOD, World, check

SEED_000 = "000_c3dc2c98d2c962ed.txt"
INSERTED = f" ([archived](https://web.archive.org/web/{CHOSUN_GOOD}/{CHOSUN}))"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def _originals() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in SEEDS.iterdir()}


def test_dry_run_diff_adds_the_2012_snapshot_after_the_chosun_link_only(world: World, copy: Path) -> None:
    report = world.runs[0].output_dir / "link-health.json"
    done = check("fix", "seeds/", "--dry-run", "--report", str(report), cwd=copy)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == [f"--- a/seeds/{SEED_000}", f"+++ b/seeds/{SEED_000}"]
    assert sum(line.startswith("@@") for line in lines) == 1
    removed = [line[1:] for line in lines[2:] if line.startswith("-")]
    added = [line[1:] for line in lines[2:] if line.startswith("+")]
    link = f'    Monday"]({CHOSUN})'
    assert removed == [link]
    assert added == [link + INSERTED]
    # The seed ends without a line break; the diff says so, as patch tools need.
    assert lines[-1] == r"\ No newline at end of file"
    assert {path.name: path.read_bytes() for path in (copy / "seeds").iterdir()} == _originals()
    if shutil.which("git"):
        (copy / "fix.diff").write_text(done.stdout, encoding="utf-8")
        applied = subprocess.run(["git", "apply", "fix.diff"], cwd=copy, capture_output=True, text=True)
        assert applied.returncode == 0, applied.stderr
        patched = (copy / "seeds" / SEED_000).read_bytes()
        original = _originals()[SEED_000]
        assert patched == original.replace(link.encode(), (link + INSERTED).encode())


def test_real_fix_inserts_the_snapshot_and_keeps_every_other_byte(world: World, copy: Path) -> None:
    report = world.runs[0].output_dir / "link-health.json"
    done = check("fix", "seeds/", "--report", str(report), cwd=copy)
    assert done.returncode == 0, done.stderr
    originals = _originals()
    fixed = {path.name: path.read_bytes() for path in (copy / "seeds").iterdir()}
    assert fixed.keys() == originals.keys()
    for name, before in originals.items():
        if name != SEED_000:
            assert fixed[name] == before, name
    before, after = originals[SEED_000], fixed[SEED_000]
    inserted = INSERTED.encode()
    at = before.index(CHOSUN.encode() + b")") + len(CHOSUN) + 1
    assert after == before[:at] + inserted + before[at:]
    # The seeds themselves are never touched.
    assert _originals() == originals
    again = check("fix", "seeds/", "--report", str(report), cwd=copy)
    assert "changed since it was checked" in again.stderr
    assert (copy / "seeds" / SEED_000).read_bytes() == after
