"""A damaged service store is never moved aside: it holds editors' decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier import cli
from verifier.service.db import ServiceDB
from verifier.service.paths import ServicePaths
from verifier.service.tokens import Role, create_token


def test_a_damaged_service_store_is_exit_2_naming_the_file_and_the_way_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = ServicePaths(tmp_path / "data").create()
    db = ServiceDB(paths.store)
    for n in range(200):
        create_token(db, f"t{n}", Role.VIEWER, actor="test")
    db.close()
    data = bytearray(paths.store.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page + 8 : page * 4] = b"\xa5" * (page * 4 - page - 8)  # the header stays intact
    paths.store.write_bytes(bytes(data))
    for journal in ("-wal", "-shm"):
        Path(f"{paths.store}{journal}").unlink(missing_ok=True)
    assert cli.main(["token", "list", "--data-dir", str(tmp_path / "data")]) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert str(paths.store) in error and "restore" in error
    assert paths.store.exists() and not list(paths.root.glob("*.damaged-*"))
