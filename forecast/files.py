"""Reading and writing the user's files safely: one helper for each direction, used by every command.

Writing: `atomic_output` writes to a temporary file in the target's directory and renames it over the
target only when everything was written and synced, so a failed export (a full disk, a row the writer
chokes on, Ctrl-C) leaves the previous file byte for byte as it was.

Reading: `read_regular_file` and `BoundedStream` read at most a cap, whatever `st_size` says (it says 0 for
/dev/zero and nothing useful for a FIFO), and only from regular files, opened so that a FIFO cannot block.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from forecast.core.errors import ForecastError, InvalidInput

MB = 1024 * 1024


def _mib(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n} bytes"


# --- writing -------------------------------------------------------------------------------------------------


@contextmanager
def atomic_output(path: str | Path | None) -> Iterator[BinaryIO]:
    """A binary stream for `-o PATH`: stdout for None or '-'; a file replaced only on success.

    A target that exists and is not a regular file (/dev/null, a FIFO, a terminal) is written directly:
    renaming over it would replace the device with a file."""
    if path in (None, "-"):
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    target = Path(path)
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ForecastError(f"{target}: cannot write: {exc.strerror}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise ForecastError(f"{target}: cannot write: is a directory")
        with _open_or_fail(target) as fh:
            yield fh
        return
    directory = target.parent
    if not directory.is_dir():
        raise ForecastError(f"{target}: cannot write: directory {directory} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ForecastError(f"{target}: cannot write: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_file_atomic(path: str | Path, data: bytes | str) -> None:
    """The whole content at once (unit files, small reports), with the same all-or-nothing rule."""
    with atomic_output(path) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def _open_or_fail(target: Path) -> Iterator[BinaryIO]:
    try:
        fh = open(target, "wb")
    except OSError as exc:
        raise ForecastError(f"{target}: cannot write: {exc.strerror}") from None
    with fh:
        yield fh


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- reading -------------------------------------------------------------------------------------------------


def open_regular(path: str | Path, what: str = "file") -> BinaryIO:
    """Open a regular file for reading; anything else (a FIFO, a device, a directory) is refused without
    blocking: O_NONBLOCK makes opening a FIFO return at once, and fstat then tells what it is."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InvalidInput(f"{p}: no such {what}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{p}: is a directory, not a {what}") from None
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InvalidInput(f"{p}: is a directory, not a {what}")
        if not stat.S_ISREG(mode):
            raise InvalidInput(f"{p}: not a regular file (a device, FIFO or socket)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes, counted while reading."""
    with open_regular(path, what) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InvalidInput(f"{path} is larger than {_mib(limit)}")
    return data


class BoundedStream(io.RawIOBase):
    """A read-only stream that fails with InvalidInput once more than `limit` bytes came through: for zip
    members (whose declared size may lie) and anything else whose length is not known in advance."""

    def __init__(self, inner: BinaryIO, limit: int, label: str) -> None:
        self.inner = inner
        self.limit = limit
        self.label = label
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(min(len(buffer), self.limit - self.count + 1))
        n = len(data)
        self.count += n
        if self.count > self.limit:
            raise InvalidInput(f"{self.label} is larger than {_mib(self.limit)}")
        buffer[:n] = data
        return n

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            super().close()


_BLOCK = 1 << 20


def bounded_lines(fh: BinaryIO, limit: int, label: str, *, block_size: int = _BLOCK, before: int = 0) -> Iterator[bytes]:
    """The lines of a stream without their line ends, each at most `limit` bytes: a file without newlines
    (or /dev/zero behind a symlink) cannot grow one line without end. `before`: how many lines of the file
    come before the stream's first (a part of a file, see `FileRange`), for the line numbers of errors.

    Read in blocks and split by `bytes.split` (a million-line import spent 0.4 s in `readline` calls); a
    line can only be long if it spans blocks or the block is longer than `limit`, so only then is it measured."""
    number = before
    head: list[bytes] = []  # the start of a line that goes on in the next block
    size = 0
    while True:
        block = fh.read(block_size)
        if not block:
            break
        if b"\n" not in block:
            head.append(block)
            size += len(block)
            if size > limit:
                raise InvalidInput(f"{label}:{number + 1}: line longer than {_mib(limit)}")
            continue
        lines = block.split(b"\n")
        if head:
            lines[0] = b"".join(head) + lines[0]
        last = lines.pop()
        if (head and len(lines[0]) > limit) or len(block) > limit:
            for line in lines:
                number += 1
                if len(line) > limit:
                    raise InvalidInput(f"{label}:{number}: line longer than {_mib(limit)}")
                yield line
        else:
            number += len(lines)
            yield from lines
        head, size = ([last], len(last)) if last else ([], 0)
        if size > limit:
            raise InvalidInput(f"{label}:{number + 1}: line longer than {_mib(limit)}")
    if head:
        yield b"".join(head)


class FileRange:
    """Bytes `start` to `end` (None: the end of the file) of an open file, read with `os.pread`: the
    descriptor's offset is never moved, so two processes that share it (after a fork) read their own parts."""

    def __init__(self, fd: int, start: int, end: int | None = None) -> None:
        self.fd, self.pos, self.end = fd, start, end

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            n = _BLOCK
        if self.end is not None:
            n = min(n, self.end - self.pos)
            if n <= 0:
                return b""
        data = os.pread(self.fd, n, self.pos)
        self.pos += len(data)
        return data


def count_lines(fd: int, end: int) -> int:
    """How many line ends the first `end` bytes of the file hold."""
    count = pos = 0
    while pos < end:
        data = os.pread(fd, min(16 * MB, end - pos), pos)
        if not data:
            break
        count += data.count(b"\n")
        pos += len(data)
    return count


def line_start_near(fd: int, offset: int, size: int, *, search: int = 16 * MB) -> int | None:
    """The offset just after the first line end at or after `offset`, found within `search` bytes: where a
    line starts. None when there is none before the file's `size`."""
    pos = offset
    while pos < min(size, offset + search):
        data = os.pread(fd, min(_BLOCK, size - pos), pos)
        if not data:
            return None
        at = data.find(b"\n")
        if at >= 0:
            start = pos + at + 1
            return start if start < size else None
        pos += len(data)
    return None
