"""storage.Incoming with its writer thread (``background=True``, the materials uploads'):
what it is given is stored and hashed whole, its limit and its writer's errors reach the
request's thread, and no thread or temporary file outlives it."""

import errno
import gc
import hashlib
import threading

import pytest

from wenevents import storage

PIECES = [b"%PDF-1.4\n", bytes(range(256)) * 4096, b"x" * 3_000_000, b"end"]


def writers():
    return [t for t in threading.enumerate() if t.name.startswith("wenevents-upload-")]


@pytest.fixture(autouse=True)
def no_writer_left():
    assert writers() == []
    yield
    assert writers() == []


def test_incoming_in_background_keeps_every_piece_in_order_with_its_hash(tmp_path):
    incoming = storage.Incoming(tmp_path, 10_000_000, "talk.pdf", background=True)
    for piece in PIECES:
        assert incoming.write(piece) == len(piece)

    incoming.seek(0)
    assert incoming.read(9) == b"%PDF-1.4\n"
    name = incoming.keep("pdf")

    whole = b"".join(PIECES)
    assert (tmp_path / name).read_bytes() == whole
    assert incoming.sha256 == hashlib.sha256(whole).hexdigest()
    assert (incoming.size, incoming.head) == (len(whole), whole[:4096])
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_incoming_in_background_refuses_the_piece_past_its_limit_and_removes_the_file(
    tmp_path,
):
    incoming = storage.Incoming(tmp_path, 1_000_000, background=True)
    incoming.write(b"a" * 600_000)

    with pytest.raises(storage.TooLarge):
        incoming.write(b"b" * 600_000)

    assert list(tmp_path.iterdir()) == []


class FullDisk:
    """The temporary file's writes fail as a full disk does, after ``room`` bytes."""

    def __init__(self, file, room):
        self.file, self.room = file, room

    def write(self, data):
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.file.write(data)

    def __getattr__(self, name):
        return getattr(self.file, name)


def test_incoming_in_background_raises_its_writers_error_at_the_next_write(tmp_path):
    incoming = storage.Incoming(tmp_path, 10_000_000, background=True)
    writer = incoming._workers[1].handle
    writer.file = FullDisk(writer.file, room=1_000)
    incoming.write(b"x" * 2_000)  # the writer thread meets the full disk
    incoming._stop_writer()

    with pytest.raises(OSError) as raised:
        incoming.write(b"more")

    assert raised.value.errno == errno.ENOSPC
    incoming.discard()
    assert list(tmp_path.iterdir()) == []


def test_incoming_in_background_raises_its_writers_error_at_seek_and_keep(tmp_path):
    incoming = storage.Incoming(tmp_path, 10_000_000, background=True)
    writer = incoming._workers[1].handle
    writer.file = FullDisk(writer.file, room=0)
    incoming.write(b"x")

    with pytest.raises(OSError):
        incoming.seek(0)
    with pytest.raises(OSError):
        incoming.keep("pdf")

    assert incoming.kept is None
    incoming.discard()
    assert list(tmp_path.iterdir()) == []


def test_incoming_in_background_discarded_half_way_stops_its_writer(tmp_path):
    incoming = storage.Incoming(tmp_path, 10_000_000, background=True)
    for piece in PIECES:
        incoming.write(piece)

    incoming.discard()

    assert list(tmp_path.iterdir()) == []


def test_incoming_in_background_starts_the_writeback_of_each_stretch_written(tmp_path, monkeypatch):
    hints = []
    monkeypatch.setattr(storage.Incoming, "WRITEBACK_BYTES", 1_000_000)
    monkeypatch.setattr(
        storage.os,
        "posix_fadvise",
        lambda fd, start, length, advice: hints.append((start, length, advice)),
    )
    incoming = storage.Incoming(tmp_path, 10_000_000, background=True)
    for _ in range(5):
        incoming.write(b"y" * 600_000)

    name = incoming.keep("pdf")

    dontneed = storage.os.POSIX_FADV_DONTNEED
    assert hints == [(0, 1_200_000, dontneed), (1_200_000, 1_200_000, dontneed)]
    assert (tmp_path / name).stat().st_size == 3_000_000


def test_incoming_in_background_dropped_unclosed_is_collected_with_its_file(tmp_path):
    incoming = storage.Incoming(tmp_path, 10_000_000, background=True)
    for piece in PIECES:
        incoming.write(piece)

    del incoming
    gc.collect()

    assert writers() == []
    assert list(tmp_path.iterdir()) == []
