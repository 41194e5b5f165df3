"""lakedrop.delivery.lambda_package: same source, same bytes, whatever the checkout's file dates."""

from __future__ import annotations

import os
import zipfile

from support.ansible import run_module

from ansible_collections.lakedrop.delivery.plugins.modules import lambda_package


def test_bytes_do_not_depend_on_order_or_dates(tmp_path):
    a = lambda_package.build([("a.py", b"print(1)\n"), ("b.py", b"x = 2\n")])
    b = lambda_package.build([("b.py", b"x = 2\n"), ("a.py", b"print(1)\n")])
    assert a == b
    assert lambda_package.build([("a.py", b"print(2)\n")]) != lambda_package.build([("a.py", b"print(1)\n")])


def test_module_rewrites_only_on_change(tmp_path):
    src = tmp_path / "handler.py"
    src.write_text("def handler(e, c):\n    return 1\n")
    dest = tmp_path / "out.zip"
    first = run_module(None, "lambda_package", {"src": [str(src)], "dest": str(dest)})
    assert first.changed and dest.exists()
    os.utime(src, (1, 1))  # a fresh checkout has other dates: must not matter
    second = run_module(None, "lambda_package", {"src": [str(src)], "dest": str(dest)}, diff=True)
    assert not second.changed and second["sha256"] == first["sha256"]
    assert zipfile.ZipFile(dest).namelist() == ["handler.py"]
    src.write_text("def handler(e, c):\n    return 2\n")
    check = run_module(None, "lambda_package", {"src": [str(src)], "dest": str(dest)}, check=True)
    assert check.changed and check["sha256"] != first["sha256"]
    assert lambda_package.hashlib.sha256(dest.read_bytes()).hexdigest() == first["sha256"]  # untouched


def test_bad_input(tmp_path):
    result = run_module(
        None, "lambda_package", {"src": [str(tmp_path / "missing.py")], "dest": str(tmp_path / "x" / "y.zip")}
    )
    assert result.failed and "missing.py is not a readable file" in result["msg"] and "does not exist" in result["msg"]
