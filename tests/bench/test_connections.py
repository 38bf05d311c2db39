"""bench/connections.py's open-file limit: raised when the sockets need it, and a
clear message when even the hard limit is too low."""

from __future__ import annotations

import resource

import pytest

from bench.connections import SPARE_FILES, raise_file_limit


def test_enough_open_files_leave_the_limit_as_it_is() -> None:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert raise_file_limit(max(0, soft - SPARE_FILES)) == soft
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == soft


def test_more_sockets_than_the_hard_limit_allows_say_what_to_do() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        pytest.skip("no hard limit on open files here")
    with pytest.raises(SystemExit, match="hard limit.*--idle"):
        raise_file_limit(hard)
