"""LocalFileStore: nothing visible before commit, nothing left after abort."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid

import pytest

from services.files.gateways.storage import (WRITE_BUFFER_BYTES, FileStore, LocalFileStore,
                                             StoredFileMissing)


def all_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def read_all(store: LocalFileStore, key: str, chunk_size: int = 4) -> bytes:
    return b"".join([chunk async for chunk in store.open_reader(key, chunk_size)])


async def test_commit_then_read(tmp_path):
    store = LocalFileStore(tmp_path)
    assert isinstance(store, FileStore)
    key = uuid.uuid4().hex
    writer = store.open_writer(key)
    await writer.write(b"hello ")
    await writer.write(b"world")
    assert not await store.exists(key)  # not visible before commit
    for _ in range(200):  # the worker thread opens the temp file with the first batch
        if all_files(tmp_path):
            break
        await asyncio.sleep(0.01)
    assert [f.split("/")[0] for f in all_files(tmp_path)] == ["tmp"]  # only a temp file so far
    await writer.commit()
    assert await store.exists(key)
    assert store.path(key) == tmp_path / key[:2] / key[2:4] / key  # sharded
    assert await read_all(store, key) == b"hello world"
    assert all_files(tmp_path) == [f"{key[:2]}/{key[2:4]}/{key}"]  # temp file gone


async def test_abort_leaves_nothing(tmp_path):
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex
    writer = store.open_writer(key)
    await writer.write(b"x" * 100_000)
    await writer.abort()
    await writer.abort()  # idempotent
    assert all_files(tmp_path) == []
    assert not await store.exists(key)


async def test_context_manager_aborts_on_error(tmp_path):
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex
    with pytest.raises(RuntimeError):
        async with store.open_writer(key) as writer:
            await writer.write(b"partial")
            raise RuntimeError("client went away")
    assert all_files(tmp_path) == []


async def test_commit_is_atomic_replace(tmp_path, monkeypatch):
    """The final path only ever appears complete: it comes from os.replace of a synced file."""
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex
    calls = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])

    def replace(src, dst):
        calls.append("replace")
        assert os.path.getsize(src) == 8 and not os.path.exists(dst)
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    writer = store.open_writer(key)
    await writer.write(b"12345678")
    await writer.commit()
    assert calls[:2] == ["fsync", "replace"]  # data synced before it becomes visible
    assert await read_all(store, key) == b"12345678"


async def test_failed_commit_leaves_nothing(tmp_path, monkeypatch):
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex

    def broken(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", broken)
    writer = store.open_writer(key)
    await writer.write(b"data")
    with pytest.raises(OSError):
        await writer.commit()
    await writer.abort()
    assert [p for p in all_files(tmp_path)] == []


async def test_empty_file_and_delete(tmp_path):
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex
    writer = store.open_writer(key)
    await writer.commit()
    assert await read_all(store, key) == b""
    await store.delete(key)
    await store.delete(key)  # missing is fine
    with pytest.raises(StoredFileMissing):
        await read_all(store, key)


async def test_concurrent_writers_do_not_mix(tmp_path):
    store = LocalFileStore(tmp_path)
    keys = [uuid.uuid4().hex for _ in range(8)]

    async def put(key: str) -> None:
        writer = store.open_writer(key)
        for _ in range(10):
            await writer.write(key.encode())
            await asyncio.sleep(0)
        await writer.commit()
    await asyncio.gather(*(put(k) for k in keys))
    for key in keys:
        assert await read_all(store, key, 1000) == key.encode() * 10


@pytest.mark.parametrize("key", ["../../etc/passwd", "a/b", "", "x" * 200, "ABC/..", ".hidden00"])
def test_keys_cannot_escape_the_root(tmp_path, key):
    with pytest.raises(ValueError):
        LocalFileStore(tmp_path).path(key)


def test_cleanup_removes_only_old_temp_files(tmp_path):
    store = LocalFileStore(tmp_path)
    store.tmp_dir.mkdir()
    old, new = store.tmp_dir / "old.part", store.tmp_dir / "new.part"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    os.utime(old, (1, 1))
    assert store.cleanup_temp(older_than_seconds=3600) == 1
    assert not old.exists() and new.exists()


async def test_digest_sees_every_chunk_in_order(tmp_path):
    """The writer hashes each batch beside writing it: the digest is the content's."""
    store = LocalFileStore(tmp_path)
    key, digest = uuid.uuid4().hex, hashlib.sha256()
    chunks = [os.urandom(n) for n in (1, 300_000, 5, 2_000_000, 70_000) * 4]
    writer = store.open_writer(key, digest)
    for chunk in chunks:
        await writer.write(chunk)
    await writer.commit()
    content = b"".join(chunks)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()
    assert await read_all(store, key, 1 << 20) == content


@pytest.mark.parametrize("digest", [None, hashlib.sha256], ids=["plain", "hashed"])
async def test_abort_while_a_batch_is_written_leaves_nothing(tmp_path, digest):
    """Hashed: the batch is written and hashed in two worker threads at once."""
    store = LocalFileStore(tmp_path)
    writer = store.open_writer(uuid.uuid4().hex, digest and digest())
    for _ in range(3):  # past the buffer: a batch goes to the worker thread
        await writer.write(os.urandom(WRITE_BUFFER_BYTES))
    await writer.abort()
    assert all_files(tmp_path) == []


@pytest.mark.parametrize("digest", [None, hashlib.sha256], ids=["plain", "hashed"])
async def test_a_cancelled_commit_leaves_nothing(tmp_path, digest):
    """The caller went away during commit: the thread finishes, then everything goes,
    the committed file included (nothing refers to it)."""
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex
    writer = store.open_writer(key, digest and digest())
    await writer.write(os.urandom(WRITE_BUFFER_BYTES))
    task = asyncio.create_task(writer.commit())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The worker thread may not even have started (the shared executor busy): an empty
    # folder proves nothing until it has ended, which abort() waits for.
    await writer.abort()
    assert all_files(tmp_path) == []
    assert not await store.exists(key)


async def test_a_reader_that_stops_early_closes_the_file(tmp_path):
    store = LocalFileStore(tmp_path)
    key = uuid.uuid4().hex
    writer = store.open_writer(key)
    await writer.write(b"x" * 100)
    await writer.commit()

    def open_on_it() -> int:
        return sum(os.path.realpath(f"/proc/self/fd/{fd}") == str(store.path(key))
                   for fd in os.listdir("/proc/self/fd")
                   if os.path.exists(f"/proc/self/fd/{fd}"))
    reader = store.open_reader(key, 10)
    assert await anext(reader) == b"x" * 10
    assert open_on_it() == 1
    await reader.aclose()
    for _ in range(100):  # closed once the read ahead in flight has ended
        if open_on_it() == 0:
            break
        await asyncio.sleep(0.01)
    assert open_on_it() == 0
